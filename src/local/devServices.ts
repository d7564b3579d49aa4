/**
 * The embedded services for `npm run start:func` (Core Tools path, docs/product.md §10): the embedded Cosmos
 * server over plain HTTP on loopback (the production Cosmos client is used unchanged; no TLS exception
 * needed), seeded with the demo data, and the local issuer's JWKS — the two things the real Functions host
 * cannot provide here.
 */
import http from 'node:http';
import { loadConfig } from '../config';
import { createServices } from '../services';
import { createCosmosContainer, ensureContainer } from '../store/cosmos';
import { startEmbeddedCosmos, EMBEDDED_COSMOS_SETTINGS } from './embeddedCosmos';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_PATH, loadLocalIssuer } from './issuer';
import { seedDemoData } from './seed';

/** Ports of {@link startDevServices}: Cosmos 8081 (the emulator's), JWKS 7072. */
export interface DevServicesOptions {
  cosmosPort?: number;
  issuerPort?: number;
  dataDir?: string;
}

/** Starts both services; resolves with their URLs and a stop function. */
export async function startDevServices(options: DevServicesOptions = {}) {
  const dataDir = options.dataDir ?? '.data';
  const cosmos = await startEmbeddedCosmos(options.cosmosPort ?? 8081, { tls: false });
  const issuer = await loadLocalIssuer(dataDir);
  const jwks = http.createServer((req, res) => {
    if (req.url === LOCAL_JWKS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(issuer.jwks));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok, fail) => {
    jwks.once('error', fail);
    jwks.listen(options.issuerPort ?? 7072, '127.0.0.1', () => ok());
  });
  const jwksUri = `http://127.0.0.1:${options.issuerPort ?? 7072}${LOCAL_JWKS_PATH}`;
  const config = loadConfig({
    ...process.env,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    ...EMBEDDED_COSMOS_SETTINGS,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_URI: jwksUri,
    DATA_DIR: dataDir,
  });
  const container = createCosmosContainer(config);
  await ensureContainer(container);
  await seedDemoData(createServices(config, { container }));
  return {
    cosmosEndpoint: cosmos.endpoint,
    jwksUri,
    stop: async () => {
      await new Promise<void>((ok) => jwks.close(() => ok()));
      await cosmos.close();
    },
  };
}
