import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { randomBytes } from 'node:crypto';
import {
  AcsEmailSender,
  composeEmail,
  createEmailSender,
  EmailSendError,
  operationIdFor,
  type AcsEmailSenderOptions,
  type OutgoingEmail,
} from '../../src/email';
import { startAcsEmailServer, type AcsEmailServer } from '../support/acsEmailServer';

const SENDER = 'DoNotReply@benefits.example';
/** Short SDK retry delays so throttling tests take milliseconds. */
const FAST: Pick<AcsEmailSenderOptions, 'clientOptions' | 'pollIntervalMs'> = {
  clientOptions: { retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
  pollIntervalMs: 5,
};

function instructions(idempotencyKey: string): OutgoingEmail {
  return composeEmail(
    'technicalInstructions',
    'ru-RU',
    {
      recipientName: 'Иван Петров',
      partnerName: 'Contoso',
      productName: 'Signature Cloud Support',
      accessId: 'ACC-1',
      contractId: 'CTR-2',
      sentTo: 'contact',
    },
    [{ address: 'ivan@contoso.example', displayName: 'Иван Петров' }, { address: 'ivan.alt@mail.example' }],
    idempotencyKey,
  );
}

function connectionStringSender(server: AcsEmailServer): AcsEmailSender {
  return new AcsEmailSender({
    senderAddress: SENDER,
    connectionString: server.connectionString,
    clientOptions: { ...FAST.clientOptions, allowInsecureConnection: true },
    pollIntervalMs: FAST.pollIntervalMs,
  });
}

async function sendError(p: Promise<unknown>): Promise<EmailSendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EmailSendError);
    return err as EmailSendError;
  }
  throw new Error('expected the send to fail');
}

describe('operationIdFor', () => {
  it('is a deterministic RFC 9562 version-8 UUID per key', () => {
    const id = operationIdFor('activation:benefit-1:1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(operationIdFor('activation:benefit-1:1')).toBe(id);
    expect(operationIdFor('activation:benefit-1:2')).not.toBe(id);
  });
});

describe('AcsEmailSender with a connection string (HMAC) over http', () => {
  let server: AcsEmailServer;
  beforeEach(async () => {
    server = await startAcsEmailServer();
  });
  afterEach(() => server.close());

  it('sends through the real EmailClient; the server verifies the signature and body', async () => {
    const msg = instructions('instance-1');
    const result = await connectionStringSender(server).send(msg);

    expect(result).toEqual({ messageId: operationIdFor('instance-1'), duplicate: false });
    expect(server.accepted).toHaveLength(1);
    const [accepted] = server.accepted;
    expect(accepted.auth).toBe('hmac');
    expect(accepted.clientOperationId).toBe(true);
    expect(accepted.operationId).toBe(operationIdFor('instance-1'));
    expect(accepted.body).toEqual({
      senderAddress: SENDER,
      content: { subject: msg.subject, plainText: msg.plainText, html: msg.html },
      recipients: {
        to: [
          { address: 'ivan@contoso.example', displayName: 'Иван Петров' },
          { address: 'ivan.alt@mail.example' },
        ],
      },
    });
  });

  it('a wrong access key gives a permanent EmailSendError (401)', async () => {
    const wrong = server.connectionString.replace(
      /accesskey=.*$/,
      `accesskey=${randomBytes(32).toString('base64')}`,
    );
    const sender = new AcsEmailSender({
      senderAddress: SENDER,
      connectionString: wrong,
      clientOptions: { ...FAST.clientOptions, allowInsecureConnection: true },
    });
    const err = await sendError(sender.send(instructions('instance-2')));
    expect(err.transient).toBe(false);
    expect(err.providerCode).toBe('Denied');
    expect(server.accepted).toHaveLength(0);
  });

  it('429 with Retry-After, then success: the SDK retries, one message accepted', async () => {
    server.failNext(1, { status: 429, headers: { 'retry-after': '0' } });
    const result = await connectionStringSender(server).send(instructions('instance-3'));
    expect(result.duplicate).toBe(false);
    expect(server.accepted).toHaveLength(1);
  });

  it('503 twice, then success: one message accepted', async () => {
    server.failNext(2, { status: 503 });
    await connectionStringSender(server).send(instructions('instance-4'));
    expect(server.accepted).toHaveLength(1);
  });

  it('a 503 answered after the service accepted: the retried POST carries the same Operation-Id and sends once', async () => {
    server.failNext(1, { status: 503, afterAccept: true });
    const result = await connectionStringSender(server).send(instructions('instance-5'));
    expect(result.messageId).toBe(operationIdFor('instance-5'));
    expect(server.accepted).toHaveLength(1);
  });

  it('the same idempotency key sent twice is accepted once', async () => {
    const sender = connectionStringSender(server);
    const first = await sender.send(instructions('instance-6'));
    const second = await sender.send(instructions('instance-6'));
    expect(second.messageId).toBe(first.messageId);
    expect(server.accepted).toHaveLength(1);
  });

  it('throttling that outlasts the SDK retries is a transient EmailSendError', async () => {
    server.failNext(10, { status: 429, headers: { 'retry-after': '0' } });
    const err = await sendError(connectionStringSender(server).send(instructions('instance-7')));
    expect(err.transient).toBe(true);
    expect(err.providerCode).toBe('TooManyRequests');
    expect(server.accepted).toHaveLength(0);
  });

  it('400 is a permanent EmailSendError', async () => {
    server.failNext(1, { status: 400, code: 'InvalidSenderAddress' });
    const err = await sendError(connectionStringSender(server).send(instructions('instance-8')));
    expect(err).toMatchObject({ transient: false, providerCode: 'InvalidSenderAddress' });
  });

  it('an operation that ends Failed is a permanent EmailSendError', async () => {
    server.failNextOperation({
      code: 'EmailDroppedAllRecipientsSuppressed',
      message: 'All recipients suppressed.',
    });
    const err = await sendError(connectionStringSender(server).send(instructions('instance-9')));
    expect(err).toMatchObject({ transient: false, providerCode: 'EmailDroppedAllRecipientsSuppressed' });
  });

  it('a server that is gone is a transient EmailSendError', async () => {
    const sender = connectionStringSender(server);
    await server.close();
    const err = await sendError(sender.send(instructions('instance-10')));
    expect(err.transient).toBe(true);
    server = await startAcsEmailServer(); // for afterEach
  });

  it('createEmailSender("acs") with a connection string to a loopback http endpoint sends', async () => {
    const sender = createEmailSender({
      EMAIL_PROVIDER: 'acs',
      ACS_CONNECTION_STRING: server.connectionString,
      EMAIL_SENDER_ADDRESS: SENDER,
      DATA_DIR: '.data',
    });
    expect(sender).toBeInstanceOf(AcsEmailSender);
    await sender.send(instructions('instance-11'));
    expect(server.accepted).toHaveLength(1);
    expect(server.accepted[0].body.senderAddress).toBe(SENDER);
  });
});

/** A TokenCredential standing in for managed identity: records the scopes it is asked for. */
class StaticCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly token: string) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

describe('AcsEmailSender with a TokenCredential over https (self-signed certificate)', () => {
  let server: AcsEmailServer;
  const bearer = randomBytes(16).toString('hex');
  beforeAll(async () => {
    server = await startAcsEmailServer({ tls: true, bearerToken: bearer });
  });
  afterAll(() => server.close());

  it('sends with a bearer token for the ACS scope, trusting only the given CA', async () => {
    const credential = new StaticCredential(bearer);
    const sender = new AcsEmailSender({
      senderAddress: SENDER,
      endpoint: server.endpoint,
      credential,
      clientOptions: { ...FAST.clientOptions, tlsOptions: { ca: server.ca } },
      pollIntervalMs: FAST.pollIntervalMs,
    });
    await sender.send(instructions('tls-1'));
    expect(credential.scopes).toContain('https://communication.azure.com//.default');
    expect(server.accepted).toHaveLength(1);
    expect(server.accepted[0].auth).toBe('bearer');
  });

  it('a wrong token is a permanent EmailSendError', async () => {
    const sender = new AcsEmailSender({
      senderAddress: SENDER,
      endpoint: server.endpoint,
      credential: new StaticCredential('not-the-token'),
      clientOptions: { ...FAST.clientOptions, tlsOptions: { ca: server.ca } },
    });
    const err = await sendError(sender.send(instructions('tls-2')));
    expect(err.transient).toBe(false);
  });

  it('the connection-string (HMAC) path works over https too', async () => {
    const sender = new AcsEmailSender({
      senderAddress: SENDER,
      connectionString: server.connectionString,
      clientOptions: { ...FAST.clientOptions, tlsOptions: { ca: server.ca } },
      pollIntervalMs: FAST.pollIntervalMs,
    });
    const before = server.accepted.length;
    await sender.send(instructions('tls-3'));
    expect(server.accepted).toHaveLength(before + 1);
    expect(server.accepted[before].auth).toBe('hmac');
  });
});
