import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  composeEmail,
  createEmailSender,
  OutboxEmailSender,
  readOutbox,
  type OutgoingEmail,
} from '../../src/email';

const TOKEN = 'tok_00112233445566778899aabbccddeeff';

function verificationEmail(idempotencyKey: string): OutgoingEmail {
  return composeEmail(
    'contactVerification',
    'zh-TW',
    {
      recipientName: 'Mei Lin',
      partnerName: 'Contoso',
      token: TOKEN,
      verifyUrl: `https://benefits.example/verify?token=${TOKEN}`,
      expiresAt: '2027-01-08T00:00:00Z',
    },
    [{ address: 'mei@contoso.example', displayName: 'Mei Lin' }],
    idempotencyKey,
  );
}

describe('OutboxEmailSender', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'outbox-test-')), 'nested', 'outbox');
  });
  afterEach(async () => {
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  it('a folder that cannot be created fails the send as transient, and the next send tries again', async () => {
    await mkdir(join(dir, '..'), { recursive: true });
    await writeFile(dir, 'a file where the folder should be');
    const sender = new OutboxEmailSender({ directory: dir, log: () => undefined });
    await expect(sender.send(verificationEmail('k-1'))).rejects.toMatchObject({ transient: true });
    await rm(dir);
    await expect(sender.send(verificationEmail('k-1'))).resolves.toMatchObject({ duplicate: false });
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('writes one file per message, creating the folder, and logs one line without the token', async () => {
    const lines: string[] = [];
    const sender = new OutboxEmailSender({
      directory: dir,
      log: (l) => lines.push(l),
      now: () => new Date('2026-11-24T09:00:00Z'),
    });
    const msg = verificationEmail('verify:contact:contoso:1');

    const result = await sender.send(msg);

    expect(result.duplicate).toBe(false);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^verify_contact_contoso_1\.[0-9a-f]{16}\.json$/);
    const stored = JSON.parse(await readFile(join(dir, files[0]), 'utf8'));
    expect(stored).toEqual({ ...msg, messageId: result.messageId, sentAt: '2026-11-24T09:00:00.000Z' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('mei@contoso.example');
    expect(lines[0]).toContain('contactVerification');
    expect(lines[0]).toContain(msg.subject);
    expect(lines[0]).toContain(files[0]);
    expect(lines[0]).not.toContain(TOKEN);
  });

  it('a second send with the same key is a duplicate: same message id, still one file, no log line', async () => {
    const lines: string[] = [];
    const sender = new OutboxEmailSender({ directory: dir, log: (l) => lines.push(l) });
    const first = await sender.send(verificationEmail('instance-42'));
    const again = await sender.send({ ...verificationEmail('instance-42'), subject: 'changed' });

    expect(again).toEqual({ messageId: first.messageId, duplicate: true });
    expect(await readdir(dir)).toHaveLength(1);
    expect(lines).toHaveLength(1);
    const [stored] = await readOutbox(dir);
    expect(stored.subject).not.toBe('changed');
  });

  it('concurrent sends with one key write one file; exactly one is not a duplicate', async () => {
    const sender = new OutboxEmailSender({ directory: dir, log: () => undefined });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => sender.send(verificationEmail('race'))),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('keys differing only in unsafe characters get different files', async () => {
    const sender = new OutboxEmailSender({ directory: dir, log: () => undefined });
    await sender.send(verificationEmail('a:b'));
    const second = await sender.send(verificationEmail('a_b'));
    expect(second.duplicate).toBe(false);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('readOutbox returns messages ordered by sentAt, and [] for a missing folder', async () => {
    expect(await readOutbox(join(dir, 'missing'))).toEqual([]);
    let t = Date.parse('2026-11-24T09:00:00Z');
    const sender = new OutboxEmailSender({
      directory: dir,
      log: () => undefined,
      now: () => new Date((t -= 1000)),
    });
    await sender.send(verificationEmail('zzz-first'));
    await sender.send(verificationEmail('aaa-second'));
    const all = await readOutbox(dir);
    expect(all.map((e) => e.idempotencyKey)).toEqual(['aaa-second', 'zzz-first']);
    expect(all[0]).toMatchObject({
      kind: 'contactVerification',
      locale: 'zh-TW',
      to: [{ address: 'mei@contoso.example' }],
    });
  });

  it('createEmailSender("outbox") writes under DATA_DIR/outbox', async () => {
    const dataDir = join(dir, 'data');
    const sender = createEmailSender(
      { EMAIL_PROVIDER: 'outbox', EMAIL_SENDER_ADDRESS: 'DoNotReply@benefits.local', DATA_DIR: dataDir },
      { log: () => undefined },
    );
    expect(sender).toBeInstanceOf(OutboxEmailSender);
    await sender.send(verificationEmail('factory'));
    expect(await readOutbox(join(dataDir, 'outbox'))).toHaveLength(1);
  });
});
