/**
 * `npm start`: the whole service locally on embedded defaults (docs/product.md §10) — no Azure account, no
 * Docker, no Core Tools. `PORT` (default 7071) and `DATA_DIR` (default `.data`) configure it; the data
 * created through the API is kept in `DATA_DIR` across restarts. `npm start -- --reset` starts over from the
 * demo data.
 */
import { installFunctionsCore } from './installFunctionsCore';

// Must precede loading any function module, exactly as the Functions worker provides it.
installFunctionsCore();

async function main(): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startLocalHost } = require('./host') as typeof import('./host');
  const { resolveLocalEnvironment, resetLocalData, dataPaths } =
    require('./localData') as typeof import('./localData');
  const { DEMO_PARTNERS, demoUsers } = require('./seed') as typeof import('./seed');
  const { ensurePortalBuilt } = require('./portal') as typeof import('./portal');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--reset');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown[0]}. Usage: npm start [-- --reset]`);
  const { port, dataDir } = resolveLocalEnvironment();
  if (args.includes('--reset')) {
    await resetLocalData(dataDir);
    console.log(`Reset: ${dataDir} starts over from the demo data.`);
  }
  ensurePortalBuilt({ log: (line) => console.log(line) });
  const host = await startLocalHost({ port, dataDir, persist: true, verbose: process.env.VERBOSE === '1' });
  const base = `http://localhost:${new URL(host.url).port}`;
  const lines: string[] = [];
  lines.push('', `Partner benefits service is running on ${base}/api`, '');
  lines.push(`  portal:    ${base}/  (open it in a browser and sign in as any user below)`);
  lines.push(
    `  functions: ${host.functions.length} registered (${host.functions.filter((f) => f.trigger.type === 'httpTrigger').length} HTTP)`,
  );
  lines.push(`  data:      ${host.dataDir} (email outbox: ${host.outboxDir})`);
  lines.push(
    host.seed
      ? '  store:     empty, seeded with the demo data'
      : `  store:     loaded from ${dataPaths(host.dataDir).store} (start over: npm run reset)`,
  );
  lines.push(
    `  processing time of activations: ${host.config.ACTIVATION_PROCESSING_TIME} (production default P3D)`,
  );
  lines.push('', "Try it (the demo Gold partner's benefits):", '');
  const envPrefix = [
    process.env.PORT ? `PORT=${process.env.PORT}` : '',
    process.env.DATA_DIR ? `DATA_DIR=${process.env.DATA_DIR}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const npm = envPrefix ? `${envPrefix} npm` : 'npm';
  lines.push(
    `  curl -s -H "Authorization: Bearer $(${npm} run -s token -- admin@contoso.example)" ${base}/api/partners/contoso/benefits`,
  );
  lines.push(
    '',
    `Tokens: ${npm} run -s token -- <email | objectId>   (operator: ${npm} run -s token -- --operator)`,
  );
  lines.push(`Expiry sweep and notices now: ${npm} run sweep`, '');
  lines.push(
    'Membership renewal (fabrikam\'s is open): POST /api/partners/fabrikam/membership/renewal {"packageId":"silver-competency"}',
    '',
  );
  lines.push('Demo users (email, object id, roles):');
  for (const p of DEMO_PARTNERS) {
    lines.push(`  ${p.id} — ${p.name}, ${p.level}${p.managedIn === 'PMC' ? ', managed in PMC' : ''}`);
    for (const u of demoUsers().filter((x) => x.partnerId === p.id)) {
      lines.push(`    ${u.email.padEnd(26)} ${u.objectId}  ${u.roles.join(', ') || 'employee'}`);
    }
  }
  lines.push('', 'Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    host
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        console.error(e);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') {
    console.error(
      `Port ${process.env.PORT ?? 7071} is in use. Stop the other process or set PORT, e.g. PORT=7072 npm start`,
    );
  } else {
    console.error(e instanceof Error ? e.message : e);
  }
  process.exit(1);
});
