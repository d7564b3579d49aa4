/**
 * The local email outbox (docs/product.md §7, §10): one JSON file per message under a folder (by default
 * `DATA_DIR/outbox`) plus one log line. Idempotent per idempotency key: the file name derives from
 * the key and is created exclusively, so a second send with the same key writes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EmailSendError, type EmailSender, type OutgoingEmail, type SendResult } from './port';

/** A message as stored in the outbox: the outgoing email plus its message id and send time. */
export interface StoredEmail extends OutgoingEmail {
  /** Random UUID given at first send; a duplicate send returns the same id. */
  messageId: string;
  /** ISO 8601 UTC instant of the first send. */
  sentAt: string;
}

/** Options of {@link OutboxEmailSender}. */
export interface OutboxEmailSenderOptions {
  /** Folder of the message files; created on first send if missing. */
  directory: string;
  /** Receives one line per message sent (not for duplicates). Default: `console.info`. */
  log?: (line: string) => void;
  /** Source of `sentAt` (tests). Default: the system clock. */
  now?: () => Date;
}

/**
 * File name for an idempotency key: the key with every character outside `[A-Za-z0-9_-]` replaced
 * by `_` (so `:` is safe on Windows too), cut to 80 characters, plus 16 hex characters of the key's
 * SHA-256 so that distinct keys never share a file.
 */
export function outboxFileName(idempotencyKey: string): string {
  const readable = idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 16);
  return `${readable}.${digest}.json`;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/**
 * Writes each message to its own file (docs/product.md §7 local outbox).
 * `send` resolves `{ messageId, duplicate: false }` for a new key and `{ messageId (the first one),
 * duplicate: true }` for a key already in the outbox.
 * @throws EmailSendError (transient, providerCode = the errno code) when the file cannot be written.
 */
export class OutboxEmailSender implements EmailSender {
  readonly directory: string;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private ready: Promise<unknown> | undefined;

  constructor(options: OutboxEmailSenderOptions) {
    this.directory = options.directory;
    this.log = options.log ?? ((line) => console.info(line));
    this.now = options.now ?? (() => new Date());
  }

  /** Stores the message unless its idempotency key is already in the outbox. */
  async send(message: OutgoingEmail): Promise<SendResult> {
    if (message.to.length === 0) throw new EmailSendError('Email has no recipient', false, 'NoRecipient');
    const file = join(this.directory, outboxFileName(message.idempotencyKey));
    const stored: StoredEmail = {
      messageId: randomUUID(),
      kind: message.kind,
      locale: message.locale,
      to: message.to.map((r) => ({ ...r })),
      subject: message.subject,
      html: message.html,
      plainText: message.plainText,
      idempotencyKey: message.idempotencyKey,
      sentAt: this.now().toISOString(),
    };
    try {
      this.ready ??= mkdir(this.directory, { recursive: true });
      await this.ready;
    } catch (err) {
      this.ready = undefined; // retry creating the folder next time
      throw new EmailSendError(
        `Could not create the outbox folder ${this.directory}: ${err instanceof Error ? err.message : String(err)}`,
        true,
        errnoCode(err),
      );
    }
    try {
      await writeFile(file, JSON.stringify(stored, null, 2) + '\n', { encoding: 'utf8', flag: 'wx' });
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') {
        const existing = await readStored(file);
        return { messageId: existing.messageId, duplicate: true };
      }
      this.ready = undefined; // retry creating the folder next time
      throw new EmailSendError(
        `Could not write outbox file ${file}: ${err instanceof Error ? err.message : String(err)}`,
        true,
        errnoCode(err),
      );
    }
    const recipients = message.to.map((r) => r.address).join(', ');
    // Only the subject is logged, never the body (which may hold a verification token).
    this.log(
      `[email:outbox] ${message.kind} to=${recipients} subject=${JSON.stringify(message.subject)} file=${file}`,
    );
    return { messageId: stored.messageId, duplicate: false };
  }
}

/**
 * Reads a stored message. A concurrent first writer may not have finished: retry briefly on a
 * partial file before giving up.
 */
async function readStored(file: string): Promise<StoredEmail> {
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StoredEmail;
    } catch (err) {
      if (!(err instanceof SyntaxError) || attempt >= 20) {
        throw new EmailSendError(
          `Could not read outbox file ${file}: ${err instanceof Error ? err.message : String(err)}`,
          true,
          errnoCode(err),
        );
      }
      await delay(5);
    }
  }
}

/**
 * Every message in an outbox folder, oldest first (by `sentAt`, then file name).
 * @returns an empty list when the folder does not exist.
 * @throws Error when a message file is not valid JSON.
 */
export async function readOutbox(directory: string): Promise<StoredEmail[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const emails = await Promise.all(
    files.map(async (n) => ({ n, e: JSON.parse(await readFile(join(directory, n), 'utf8')) as StoredEmail })),
  );
  emails.sort((a, b) => (a.e.sentAt < b.e.sentAt ? -1 : a.e.sentAt > b.e.sentAt ? 1 : a.n < b.n ? -1 : 1));
  return emails.map((x) => x.e);
}
