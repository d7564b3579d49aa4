/**
 * A local stand-in for the Azure Communication Services Email REST API (the parts the
 * `@azure/communication-email` 1.1.0 client uses; see docs/platform-notes.md):
 *
 * - `POST /emails:send?api-version=…` — checks authentication (HMAC-SHA256 signature of a connection
 *   string's access key, or a bearer token), `x-ms-content-sha256`, the body shape and the
 *   `Operation-Id` (a UUID; a repeat returns the first operation and sends nothing new), then answers
 *   202 `{ id, status: 'Running' }` with an `operation-location` header.
 * - `GET /emails/operations/{id}?api-version=…` — 200 `{ id, status: 'Succeeded' }` (or `Failed`).
 *
 * Errors are `{ error: { code, message } }` with `x-ms-error-code`, as ACS answers them.
 * With `tls: true` it serves https with a self-signed certificate made here with `node:crypto`
 * (no openssl, no extra package); give `ca` to the client's `tlsOptions`.
 */
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
} from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

/** An email address as ACS takes it. */
const AddressSchema = z
  .object({ address: z.string().min(3).includes('@'), displayName: z.string().optional() })
  .strict();

/** The send request body (api-version 2025-09-01). */
const SendBodySchema = z
  .object({
    senderAddress: z.string().min(3).includes('@'),
    content: z
      .object({ subject: z.string().min(1), plainText: z.string().optional(), html: z.string().optional() })
      .strict()
      .refine((c) => c.plainText !== undefined || c.html !== undefined, {
        message: 'plainText or html is required',
      }),
    recipients: z
      .object({
        to: z.array(AddressSchema).optional(),
        cc: z.array(AddressSchema).optional(),
        bcc: z.array(AddressSchema).optional(),
      })
      .strict()
      .refine((r) => (r.to?.length ?? 0) + (r.cc?.length ?? 0) + (r.bcc?.length ?? 0) > 0, {
        message: 'at least one recipient is required',
      })
      .refine((r) => (r.to?.length ?? 0) + (r.cc?.length ?? 0) + (r.bcc?.length ?? 0) <= 50, {
        message: 'at most 50 recipients',
      }),
    attachments: z
      .array(
        z.object({ name: z.string(), contentType: z.string(), contentInBase64: z.string() }).passthrough(),
      )
      .optional(),
    replyTo: z.array(AddressSchema).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    userEngagementTrackingDisabled: z.boolean().optional(),
  })
  .strict();

/** The body of an accepted send request. */
export type AcsSendBody = z.infer<typeof SendBodySchema>;

/** A message the server accepted (once per operation id). */
export interface AcceptedEmail {
  /** The operation id: the client's `Operation-Id` header, or one made by the server. */
  operationId: string;
  /** Whether the client sent an `Operation-Id` header. */
  clientOperationId: boolean;
  /** How the request was authenticated. */
  auth: 'hmac' | 'bearer';
  body: AcsSendBody;
}

/** A canned failure answered instead of handling a send request. */
export interface FailureResponse {
  status: number;
  headers?: Record<string, string>;
  /** Error code in the body and `x-ms-error-code`; default from the status. */
  code?: string;
  /**
   * Accept the message first, then answer the failure (a response lost after the service acted):
   * the client's retry must be de-duplicated by its `Operation-Id`.
   */
  afterAccept?: boolean;
}

/** Options of {@link startAcsEmailServer}. */
export interface AcsEmailServerOptions {
  /** Base64 access key of the connection string; default: 32 random bytes. */
  accessKey?: string;
  /** Serve https with a self-signed certificate for 127.0.0.1 (needed for TokenCredential clients). */
  tls?: boolean;
  /** Accept `Authorization: Bearer <bearerToken>` (TokenCredential clients). Default: bearer refused. */
  bearerToken?: string;
}

/** A running server. `requests` counts every HTTP request received. */
export interface AcsEmailServer {
  /** `http(s)://127.0.0.1:<port>` (no trailing slash). */
  endpoint: string;
  /** `endpoint=<endpoint>/;accesskey=<key>`. */
  connectionString: string;
  /** PEM of the self-signed certificate (tls only): pass as `tlsOptions.ca`. */
  ca?: string;
  accepted: AcceptedEmail[];
  /** The next `count` send requests answer `response` (429, 503, …) instead of being handled. */
  failNext(count: number, response: FailureResponse): void;
  /** The next accepted operation ends `Failed` with this error when polled. */
  failNextOperation(error: { code: string; message: string }): void;
  readonly requests: number;
  close(): Promise<void>;
}

const API_VERSION_RE = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Operation {
  id: string;
  status: 'Running' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  polls: number;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, { 'x-ms-error-code': code, ...headers });
}

/** Answers with an injected failure (its status, code or the default one, and headers such as Retry-After). */
function sendInjected(res: ServerResponse, failure: FailureResponse): void {
  sendError(
    res,
    failure.status,
    failure.code ?? defaultCode(failure.status),
    'Injected failure.',
    failure.headers,
  );
}

function defaultCode(status: number): string {
  if (status === 429) return 'TooManyRequests';
  if (status === 401) return 'Denied';
  if (status >= 500) return 'ServiceUnavailable';
  return 'BadRequest';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Checks ACS authentication. HMAC: `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>`,
 * signature = HMAC-SHA256(base64-decoded key, `VERB\n<path>[?query]\n<x-ms-date>;<host>;<content hash>`),
 * content hash = base64 SHA-256 of the body. Returns the scheme, or an error message.
 */
function authenticate(
  req: IncomingMessage,
  rawBody: string,
  key: Buffer,
  bearerToken: string | undefined,
): { ok: 'hmac' | 'bearer' } | { error: string } {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) {
    if (bearerToken !== undefined && auth.slice('Bearer '.length) === bearerToken) return { ok: 'bearer' };
    return { error: 'The bearer token is not valid.' };
  }
  const m = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(auth);
  if (!m) return { error: 'Missing or malformed Authorization header.' };
  if (m[1] !== 'x-ms-date;host;x-ms-content-sha256') return { error: `Unexpected SignedHeaders ${m[1]}.` };
  const date = req.headers['x-ms-date'];
  const host = req.headers.host;
  const contentHash = req.headers['x-ms-content-sha256'];
  if (typeof date !== 'string' || !host || typeof contentHash !== 'string') {
    return { error: 'x-ms-date, host and x-ms-content-sha256 are required.' };
  }
  const actualHash = createHash('sha256').update(rawBody, 'utf8').digest('base64');
  if (actualHash !== contentHash) return { error: 'x-ms-content-sha256 does not match the body.' };
  const stringToSign = `${req.method ?? ''}\n${req.url ?? ''}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(m[2], 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { error: 'The request signature is not valid.' };
  }
  return { ok: 'hmac' };
}

/**
 * Starts the server on 127.0.0.1, port 0 (any free port).
 * @returns the server handle; call `close()` when done.
 */
export async function startAcsEmailServer(options: AcsEmailServerOptions = {}): Promise<AcsEmailServer> {
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const key = Buffer.from(accessKey, 'base64');
  const accepted: AcceptedEmail[] = [];
  const operations = new Map<string, Operation>();
  const failures: FailureResponse[] = [];
  const operationFailures: { code: string; message: string }[] = [];
  let requests = 0;
  let endpoint = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion || !API_VERSION_RE.test(apiVersion)) {
      return sendError(
        res,
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter is required.',
      );
    }
    const auth = authenticate(req, rawBody, key, options.bearerToken);
    if ('error' in auth) return sendError(res, 401, 'Denied', auth.error);

    if (req.method === 'POST' && url.pathname === '/emails:send') {
      const failure = failures.shift();
      if (failure && !failure.afterAccept) {
        return sendInjected(res, failure);
      }
      const header = req.headers['operation-id'];
      const operationIdHeader = Array.isArray(header) ? header[0] : header;
      if (operationIdHeader !== undefined && !UUID_RE.test(operationIdHeader)) {
        return sendError(res, 400, 'InvalidOperationId', 'Operation-Id must be a UUID.');
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendError(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        return sendError(res, 400, 'InvalidRequest', 'The body is not JSON.');
      }
      const parsed = SendBodySchema.safeParse(json);
      if (!parsed.success) {
        return sendError(
          res,
          400,
          'InvalidRequest',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const id = operationIdHeader?.toLowerCase() ?? randomUUID();
      let op = operations.get(id);
      if (!op) {
        const opError = operationFailures.shift();
        op = { id, status: 'Running', error: opError, polls: 0 };
        operations.set(id, op);
        accepted.push({
          operationId: id,
          clientOperationId: operationIdHeader !== undefined,
          auth: auth.ok,
          body: parsed.data,
        });
      }
      if (failure) {
        return sendInjected(res, failure);
      }
      return sendJson(
        res,
        202,
        { id: op.id, status: op.status },
        { 'operation-location': `${endpoint}/emails/operations/${op.id}?api-version=${apiVersion}` },
      );
    }

    const opMatch = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && opMatch) {
      const op = operations.get(decodeURIComponent(opMatch[1]).toLowerCase());
      if (!op) return sendError(res, 404, 'NotFound', 'Unknown operation.');
      op.polls++;
      if (op.status === 'Running') op.status = op.error ? 'Failed' : 'Succeeded';
      return sendJson(
        res,
        200,
        op.error ? { id: op.id, status: op.status, error: op.error } : { id: op.id, status: op.status },
      );
    }
    return sendError(res, 404, 'NotFound', `No route for ${req.method ?? ''} ${url.pathname}.`);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendError(res, 500, 'InternalError', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  };

  let server: Server;
  let ca: string | undefined;
  if (options.tls) {
    const cert = createSelfSignedCertificate('127.0.0.1');
    ca = cert.cert;
    server = createHttpsServer({ key: cert.key, cert: cert.cert }, listener);
  } else {
    server = createHttpServer(listener);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    endpoint,
    connectionString: `endpoint=${endpoint}/;accesskey=${accessKey}`,
    ca,
    accepted,
    failNext(count, response) {
      for (let i = 0; i < count; i++) failures.push(response);
    },
    failNextOperation(error) {
      operationFailures.push(error);
    },
    get requests() {
      return requests;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Self-signed certificate with node:crypto only: a minimal DER encoder for one X.509 v3
// certificate (EC P-256, ecdsa-with-SHA256) whose subjectAltName holds the IP and "localhost".

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const enc: number[] = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) enc.unshift(0x80 | (v & 0x7f));
    bytes.push(...enc);
  }
  return tlv(0x06, Buffer.from(bytes));
}
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/** A self-signed certificate (also its own CA) for an IPv4 address; PEM cert and PKCS#8 key. */
function createSelfSignedCertificate(ip: string): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const sigAlg = seq(oid('1.2.840.10045.4.3.2')); // ecdsa-with-SHA256
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(`acs-email-test ${ip}`, 'utf8'))))); // CN
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  // Validity is not asserted on: one hour back (clock skew) to one day ahead.
  const start = new Date(Date.now() - 3600_000);
  const end = new Date(Date.now() + 86400_000);
  const extensions = tlv(
    0xa3,
    seq(
      // basicConstraints, critical, CA:TRUE
      seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
      // keyUsage: digitalSignature, keyCertSign
      seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x02, 0x84])))),
      // subjectAltName: IP address and DNS localhost
      seq(
        oid('2.5.29.17'),
        tlv(0x04, seq(tlv(0x87, ipBytes(ip)), tlv(0x82, Buffer.from('localhost', 'ascii')))),
      ),
    ),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // version v3
    tlv(0x02, serial),
    sigAlg,
    name,
    seq(utcTime(start), utcTime(end)),
    name,
    spki,
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, sigAlg, tlv(0x03, Buffer.concat([Buffer.from([0x00]), signature])));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
