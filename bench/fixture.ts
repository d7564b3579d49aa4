/**
 * What a cold-start measurement needs around the app, started once and left running:
 * the embedded Cosmos server over loopback HTTP with the demo data, and the local token issuer's JWKS.
 * `startFixture()` is used by bench/run.ts; `tsx bench/fixture.ts <env file>` writes the settings (as
 * `KEY=value` lines, for `node --env-file`) plus `BENCH_TOKEN` (Contoso's GlobalAdmin) and keeps serving until
 * stopped, for timing bench/first-request.cjs by hand.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config';
import { createServices } from '../src/services';
import { createCosmosContainer, ensureContainer } from '../src/store/cosmos';
import { EMBEDDED_COSMOS_SETTINGS, startEmbeddedCosmos } from '../src/local/embeddedCosmos';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_PATH, loadLocalIssuer } from '../src/local/issuer';
import { demoObjectId, seedDemoData } from '../src/local/seed';
import { OutboxEmailSender } from '../src/email/outbox';

/** A running fixture. */
export interface Fixture {
  /** Settings for the app under test (its environment), including `BENCH_TOKEN`. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the embedded Cosmos server (plain HTTP), seeds the demo data and serves the JWKS. */
export async function startFixture(): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'benefits-fixture-'));
  const cosmos = await startEmbeddedCosmos(0, { tls: false });
  const issuer = await loadLocalIssuer(dataDir);
  const jwks = http.createServer((req, res) => {
    if (req.url !== LOCAL_JWKS_PATH) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(issuer.jwks));
  });
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  const env: Record<string, string> = {
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    ...EMBEDDED_COSMOS_SETTINGS,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_URI: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}${LOCAL_JWKS_PATH}`,
    DATA_DIR: dataDir,
    EMAIL_PROVIDER: 'outbox',
  };
  const config = loadConfig(env);
  const container = createCosmosContainer(config);
  await ensureContainer(container);
  const email = new OutboxEmailSender({ directory: join(dataDir, 'outbox'), log: () => undefined });
  await seedDemoData(createServices(config, { container, email }));
  env.BENCH_TOKEN = await issuer.sign({ objectId: demoObjectId('admin@contoso.example') });
  return {
    env,
    stop: async () => {
      jwks.closeAllConnections();
      await new Promise<void>((ok) => jwks.close(() => ok()));
      await cosmos.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/fixture.ts <env file>');
    process.exit(2);
  }
  void startFixture().then((f) => {
    writeFileSync(
      file,
      Object.entries(f.env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    console.log(`fixture ready: ${file}`);
    const stop = () => void f.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
