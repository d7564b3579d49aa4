/**
 * The email port (docs/product.md §7). Production: Azure Communication Services Email; local: the outbox.
 */
import type { Locale } from '../domain/types';

/**
 * The messages the service sends (docs/product.md §7, and the notices before things run out of
 * docs/product.md §12).
 */
export type EmailKind =
  | 'contactVerification'
  | 'gtmInstructions'
  | 'technicalInstructions'
  | 'vsAssignment'
  | 'expiryNotice'
  | 'benefitExpiryReminder'
  | 'membershipExpiryReminder'
  | 'lastSeatNotice';

export interface EmailRecipient {
  address: string;
  displayName?: string;
}

/** A rendered message ready to send. */
export interface OutgoingEmail {
  kind: EmailKind;
  locale: Locale;
  to: EmailRecipient[];
  subject: string;
  html: string;
  plainText: string;
  /**
   * Sending twice with one key delivers once (docs/product.md §6 step 4: the orchestration instance id for
   * instructions). Must be a UUID-shaped or other string of ≤ 100 chars of [A-Za-z0-9:_-].
   */
  idempotencyKey: string;
}

/** Result of a send: the provider's message id, and whether the key had been sent before. */
export interface SendResult {
  messageId: string;
  duplicate: boolean;
}

/**
 * Sends email. Implementations must be idempotent per `idempotencyKey`.
 * @throws EmailSendError when the provider refuses or fails; `transient` says whether a retry may help.
 */
export interface EmailSender {
  send(message: OutgoingEmail): Promise<SendResult>;
}

/** A failed send. `transient` errors (throttling, 5xx, network) are worth retrying. */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}
