/**
 * Azure Communication Services Email sender (docs/product.md §7, production). The SDK is loaded on first send
 * (dynamic import), so an app that uses the outbox never loads it.
 *
 * Idempotency: ACS de-duplicates sends by the `Operation-Id` header, which the SDK types as a UUID.
 * The operation id is a name-based UUID derived from the message's idempotency key, so the SDK's own
 * retries of the POST, and later re-sends with the same key (docs/product.md §6 step 4), deliver once.
 */
import { createHash } from 'node:crypto';
import type {
  EmailClient,
  EmailClientOptions,
  EmailMessage,
  EmailSendResult,
} from '@azure/communication-email';
import type { TokenCredential } from '@azure/identity';
import { EmailSendError, type EmailSender, type OutgoingEmail, type SendResult } from './port';

/** ACS accepts at most 50 recipients per message (public service limits). */
const ACS_MAX_RECIPIENTS = 50;

/** Options of {@link AcsEmailSender}. Give `endpoint` + `credential` or `connectionString`. */
export interface AcsEmailSenderOptions {
  /** The verified sender, e.g. `DoNotReply@<guid>.azurecomm.net`. */
  senderAddress: string;
  /** ACS endpoint `https://<resource>.communication.azure.com` (with `credential`). */
  endpoint?: string;
  /** Managed identity / Entra ID credential (scope `https://communication.azure.com//.default`). */
  credential?: TokenCredential;
  /** `endpoint=…;accesskey=…` (local development); used when `credential` is not given. */
  connectionString?: string;
  /** Passed to `EmailClient` (retryOptions, tlsOptions, allowInsecureConnection for http://). */
  clientOptions?: EmailClientOptions;
  /** Milliseconds between polls of the send operation. Default: the SDK's (2000 ms). */
  pollIntervalMs?: number;
}

/** Fixed namespace of the name-based operation ids (a random UUID chosen once for this service). */
const OPERATION_ID_NAMESPACE = '6f1d3c52-8a4e-4b8e-9d2a-5b7c0e9f4a11';

/**
 * The ACS `Operation-Id` for an idempotency key: a name-based UUID (RFC 9562 version 8, the
 * SHA-256 construction of its appendix B.2) of the key under a fixed namespace. Same key, same id.
 */
export function operationIdFor(idempotencyKey: string): string {
  const ns = Buffer.from(OPERATION_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha256').update(ns).update(idempotencyKey, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
}

function asRestError(err: unknown): RestErrorLike | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { statusCode?: unknown; code?: unknown };
  return {
    message: e.message,
    statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
  };
}

/**
 * Maps an SDK / network error to {@link EmailSendError}: transient for 408, 429, 5xx and errors
 * without an HTTP status (network); permanent for other 4xx (400 bad request, 401/403 auth, …).
 */
function toEmailSendError(err: unknown): EmailSendError {
  if (err instanceof EmailSendError) return err;
  const e = asRestError(err);
  if (!e) return new EmailSendError(`ACS email send failed: ${String(err)}`, true);
  const status = e.statusCode;
  const transient = status === undefined || status === 408 || status === 429 || status >= 500;
  const where = status === undefined ? '' : ` (HTTP ${status})`;
  return new EmailSendError(
    `ACS email send failed${where}: ${e.message}`,
    transient,
    e.code ?? status?.toString(),
  );
}

/**
 * Recognises core-lro's errors for an operation that ended `Failed` ("The long-running operation has
 * failed. <code>. <message>") or `Canceled` ("Operation was canceled"): permanent errors.
 */
function lroFailure(err: unknown): EmailSendError | undefined {
  if (!(err instanceof Error) || asRestError(err)?.statusCode !== undefined) return undefined;
  const failed = /^The long-running operation has failed(?:\. ([^.\s]+)\.)?/.exec(err.message);
  if (failed)
    return new EmailSendError(`ACS email operation failed: ${err.message}`, false, failed[1] ?? 'Failed');
  if (err.message === 'Operation was canceled') {
    return new EmailSendError('ACS email operation was canceled', false, 'Canceled');
  }
  return undefined;
}

/**
 * Sends through ACS Email with `beginSend` + `pollUntilDone` (docs/product.md §7).
 * `send` resolves `{ messageId: <ACS operation id>, duplicate: false }` once ACS reports `Succeeded`
 * (ACS does not say whether an `Operation-Id` was seen before).
 * @throws EmailSendError — transient for throttling (429 after the SDK's retries), 5xx and network
 *   errors; permanent for 4xx, an operation ending `Failed`/`Canceled`, or more than 50 recipients.
 */
export class AcsEmailSender implements EmailSender {
  private client: Promise<EmailClient> | undefined;

  constructor(private readonly options: AcsEmailSenderOptions) {
    if (!options.senderAddress) throw new Error('AcsEmailSender needs a senderAddress');
    if (!(options.endpoint && options.credential) && !options.connectionString) {
      throw new Error('AcsEmailSender needs endpoint + credential, or a connection string');
    }
  }

  private getClient(): Promise<EmailClient> {
    this.client ??= import('@azure/communication-email').then(({ EmailClient }) => {
      const { endpoint, credential, connectionString, clientOptions = {} } = this.options;
      return endpoint && credential
        ? new EmailClient(endpoint, credential, clientOptions)
        : new EmailClient(connectionString as string, clientOptions);
    });
    return this.client;
  }

  /** Sends one message; see the class documentation for results and errors. */
  async send(message: OutgoingEmail): Promise<SendResult> {
    if (message.to.length === 0) throw new EmailSendError('Email has no recipient', false, 'NoRecipient');
    if (message.to.length > ACS_MAX_RECIPIENTS) {
      throw new EmailSendError(
        `ACS accepts at most ${ACS_MAX_RECIPIENTS} recipients`,
        false,
        'TooManyRecipients',
      );
    }
    const body: EmailMessage = {
      senderAddress: this.options.senderAddress,
      content: { subject: message.subject, plainText: message.plainText, html: message.html },
      recipients: {
        to: message.to.map((r) =>
          r.displayName ? { address: r.address, displayName: r.displayName } : { address: r.address },
        ),
      },
    };
    const client = await this.getClient();
    let result: EmailSendResult;
    try {
      // beginSend already POSTs and polls once, so an operation may be reported failed by either call.
      const poller = await client.beginSend(body, {
        operationId: operationIdFor(message.idempotencyKey),
        updateIntervalInMs: this.options.pollIntervalMs,
      });
      result = await poller.pollUntilDone();
    } catch (err) {
      throw lroFailure(err) ?? toEmailSendError(err);
    }
    if (result.status !== 'Succeeded') {
      throw new EmailSendError(
        `ACS email operation ended ${result.status}${result.error?.message ? `: ${result.error.message}` : ''}`,
        false,
        result.error?.code ?? result.status,
      );
    }
    return { messageId: result.id, duplicate: false };
  }
}
