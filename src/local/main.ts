/**
 * `npm start`: the whole service locally on embedded defaults (SPEC §10) — no Azure account, no Docker,
 * no Core Tools. `PORT` (default 7071) and `DATA_DIR` (default `.data`) configure it.
 */
import { installFunctionsCore } from './installFunctionsCore';

// Must precede loading any function module, exactly as the Functions worker provides it.
installFunctionsCore();

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalHost } = require('./host') as typeof import('./host');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensurePortalBuilt } = require('./portal') as typeof import('./portal');
  ensurePortalBuilt({ log: (line) => console.log(line) });
  const port = Number(process.env.PORT ?? 7071);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const host = await startLocalHost({
    port,
    dataDir: process.env.DATA_DIR ?? '.data',
    verbose: process.env.VERBOSE === '1',
  });
  const base = `http://localhost:${new URL(host.url).port}`;
  const lines: string[] = [];
  lines.push('', `Partner benefits service is running on ${base}/api`, '');
  lines.push(`  portal:    ${base}/  (open it in a browser and sign in as any user below)`);
  lines.push(
    `  functions: ${host.functions.length} registered (${host.functions.filter((f) => f.trigger.type === 'httpTrigger').length} HTTP)`,
  );
  lines.push(`  data:      ${host.config.DATA_DIR} (email outbox: ${host.outboxDir})`);
  lines.push(
    `  processing time of activations: ${host.config.ACTIVATION_PROCESSING_TIME} (production default P3D)`,
  );
  lines.push('', "Try it (the demo Gold partner's benefits):", '');
  lines.push(
    `  curl -s -H "Authorization: Bearer $(npm run -s token -- admin@contoso.example)" ${base}/api/partners/contoso/benefits`,
  );
  lines.push(
    '',
    'Tokens: npm run -s token -- <email | objectId>   (operator: npm run -s token -- --operator)',
  );
  lines.push('Expiry sweep now: npm run sweep', '');
  if (host.seed) {
    lines.push('Demo users (email, object id, roles):');
    let partner = '';
    for (const u of host.seed.users) {
      if (u.partnerId !== partner) {
        partner = u.partnerId;
        const p = host.seed.partners.find((x) => x.id === partner)!;
        lines.push(`  ${p.id} — ${p.name}, ${p.level}${p.managedIn === 'PMC' ? ', managed in PMC' : ''}`);
      }
      lines.push(`    ${u.email.padEnd(26)} ${u.objectId}  ${u.roles.join(', ') || 'employee'}`);
    }
    lines.push('');
  }
  lines.push('Press Ctrl-C to stop.', '');
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
