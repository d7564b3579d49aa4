/**
 * Email module entry (docs/product.md §7): the port, the templates, both senders and the factory that picks
 * one from configuration. Importing this module loads neither `@azure/communication-email` nor
 * `@azure/identity`; they are loaded on the first ACS send.
 */
import { join } from 'node:path';
import { lazyDefaultAzureCredential } from '../identity';
import type { Config } from '../config';
import type { EmailClientOptions } from '@azure/communication-email';
import { AcsEmailSender } from './acs';
import { OutboxEmailSender } from './outbox';
import type { EmailKind, EmailRecipient, EmailSender, OutgoingEmail } from './port';
import { renderEmail, type EmailTemplateData } from './templates';

export * from './port';
export * from './templates';
export { OutboxEmailSender, readOutbox } from './outbox';
export { AcsEmailSender, operationIdFor } from './acs';
export type { AcsEmailSenderOptions } from './acs';

/** The settings {@link createEmailSender} reads. */
export type EmailConfig = Pick<
  Config,
  | 'EMAIL_PROVIDER'
  | 'ACS_ENDPOINT'
  | 'ACS_CONNECTION_STRING'
  | 'EMAIL_SENDER_ADDRESS'
  | 'DATA_DIR'
  | 'AZURE_CLIENT_ID'
>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Client options for a connection string: plain http is allowed only to a loopback emulator. */
function connectionStringClientOptions(connectionString: string): EmailClientOptions {
  const endpoint = /(?:^|;)\s*endpoint=([^;]+)/i.exec(connectionString)?.[1]?.trim();
  if (!endpoint) return {};
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' && LOOPBACK.has(url.hostname) ? { allowInsecureConnection: true } : {};
  } catch {
    return {};
  }
}

/**
 * Builds the configured sender (docs/product.md §7, §10):
 * - `outbox` → {@link OutboxEmailSender} writing to `join(DATA_DIR, 'outbox')`;
 * - `acs` with `ACS_ENDPOINT` → {@link AcsEmailSender} with `DefaultAzureCredential`
 *   (managed identity `AZURE_CLIENT_ID`; production, no keys);
 * - `acs` with only `ACS_CONNECTION_STRING` → {@link AcsEmailSender} with the connection string
 *   (local development; an `http://localhost` endpoint is allowed).
 * @throws Error when `EMAIL_PROVIDER` is `acs` and neither ACS setting is present.
 */
export function createEmailSender(
  config: EmailConfig,
  options: { log?: (line: string) => void } = {},
): EmailSender {
  if (config.EMAIL_PROVIDER === 'outbox') {
    return new OutboxEmailSender({ directory: join(config.DATA_DIR, 'outbox'), log: options.log });
  }
  if (config.ACS_ENDPOINT) {
    return new AcsEmailSender({
      senderAddress: config.EMAIL_SENDER_ADDRESS,
      endpoint: config.ACS_ENDPOINT,
      credential: lazyDefaultAzureCredential(config.AZURE_CLIENT_ID),
    });
  }
  if (config.ACS_CONNECTION_STRING) {
    return new AcsEmailSender({
      senderAddress: config.EMAIL_SENDER_ADDRESS,
      connectionString: config.ACS_CONNECTION_STRING,
      clientOptions: connectionStringClientOptions(config.ACS_CONNECTION_STRING),
    });
  }
  throw new Error('EMAIL_PROVIDER=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING');
}

/**
 * Renders a message (see {@link renderEmail}) and wraps it as an {@link OutgoingEmail}.
 * @param locale recipient's preferred language; unknown or missing → en-US (docs/product.md §7).
 * @param idempotencyKey sending twice with this key delivers once (docs/product.md §6 step 4).
 * @throws Error as {@link renderEmail} does (bad date or URL).
 */
export function composeEmail<K extends EmailKind>(
  kind: K,
  locale: string | undefined,
  data: EmailTemplateData[K],
  to: EmailRecipient[],
  idempotencyKey: string,
): OutgoingEmail {
  const rendered = renderEmail(kind, locale, data);
  return {
    kind,
    locale: rendered.locale,
    to,
    subject: rendered.subject,
    html: rendered.html,
    plainText: rendered.plainText,
    idempotencyKey,
  };
}
