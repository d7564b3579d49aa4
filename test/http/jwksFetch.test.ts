/**
 * The JWKS fetch that jose uses for bearer tokens (src/http/auth.ts, `fetchJwksWithNodeHttp`, over `node:http`
 * instead of the global fetch): the answer jose expects, no redirect followed, a cap on the body, jose's timeout —
 * and a real token validated through it. Real HTTP on loopback, real jose.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchJwksWithNodeHttp, TokenValidator } from '../../src/http/auth';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadLocalIssuer, type LocalIssuer } from '../../src/local/issuer';

let server: Server;
let base: string;
let issuer: LocalIssuer;
let dataDir: string;
const seen: Array<{ url?: string; ua?: string }> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'benefits-jwks-'));
  issuer = await loadLocalIssuer(dataDir);
  server = createServer((req, res) => {
    seen.push({ url: req.url, ua: req.headers['user-agent'] });
    if (req.url === '/jwks')
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(issuer.jwks));
    else if (req.url === '/moved') res.writeHead(302, { Location: '/jwks' }).end();
    else if (req.url === '/huge') res.writeHead(200).end('x'.repeat(300 * 1024));
    else if (req.url === '/slow')
      return; // never answers; closed in afterAll
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await rm(dataDir, { recursive: true, force: true });
});

const options = (signal = AbortSignal.timeout(5000)) => ({
  method: 'GET' as const,
  redirect: 'manual' as const,
  signal,
  headers: new Headers({ 'user-agent': 'jose-test' }),
});

test('answers the status and the JSON body, sending the headers jose gives', async () => {
  const res = await fetchJwksWithNodeHttp(`${base}/jwks`, options());
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(issuer.jwks);
  expect(seen.at(-1)).toEqual({ url: '/jwks', ua: 'jose-test' });
});

test('does not follow redirects (jose then refuses anything but 200)', async () => {
  expect((await fetchJwksWithNodeHttp(`${base}/moved`, options())).status).toBe(302);
});

test('refuses a body over 256 KiB', async () => {
  await expect(fetchJwksWithNodeHttp(`${base}/huge`, options())).rejects.toThrow(/exceeds/);
});

test("stops at jose's timeout with the signal's TimeoutError", async () => {
  await expect(
    fetchJwksWithNodeHttp(`${base}/slow`, options(AbortSignal.timeout(100))),
  ).rejects.toMatchObject({
    name: 'TimeoutError',
  });
});

test('a token is validated against keys fetched this way; a JWKS without the key refuses it', async () => {
  const token = await issuer.sign({ objectId: 'c0ffee00-0000-4000-8000-000000000001' });
  const validator = new TokenValidator({
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwksUri: `${base}/jwks`,
  });
  await expect(validator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({
    objectId: 'c0ffee00-0000-4000-8000-000000000001',
  });
  const elsewhere = new TokenValidator({
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwksUri: `${base}/moved`,
  });
  await expect(elsewhere.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'unauthorized' });
});
