/**
 * `npm run sweep`: asks the running local host to run the expiry timer now (the expiry sweep, then the notices
 * before things run out, docs/product.md §8 and §12), through the Functions host's
 * admin route `POST /admin/functions/expirySweep` (the route Core Tools serves), with the runtime key.
 *
 * It finds the host from `runtime.json` in `DATA_DIR` (resolved as `npm start` resolves it): URL and key.
 * Exits 1 with a clear message when no live host is recorded there, or when `PORT` is set and differs from
 * the port that host listens on.
 */
import { findRunningHost, resolveLocalEnvironment } from './localData';

async function main(): Promise<void> {
  const { dataDir, port, portFromEnvironment } = resolveLocalEnvironment();
  const host = await findRunningHost(dataDir);
  if (!host) {
    fail(
      `No running local host found in the data folder ${dataDir} (no runtime.json from a live process).`,
      'Start it with npm start, or set DATA_DIR to the folder the running host uses.',
    );
  }
  if (portFromEnvironment && port !== host.port) {
    fail(
      `PORT is ${port}, but the host running on ${dataDir} listens on ${host.port} (${host.url}).`,
      'Unset PORT, or set DATA_DIR to the folder of the host on that port.',
    );
  }
  const res = await fetch(`${host.url}/admin/functions/expirySweep`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-functions-key': host.key },
    body: '{"input":""}',
  }).catch((e: unknown) => fail(`The host at ${host.url} did not answer: ${String(e)}`));
  if (res.status !== 202) fail(`The sweep did not run: HTTP ${res.status} ${await res.text()}`);
  console.log(
    'Expiry sweep ran. Expired benefits now show status Expired; their notices and the reminders now due (benefits, memberships, last free seats) are in the outbox.',
  );
}

function fail(...lines: string[]): never {
  console.error(lines.join('\n'));
  process.exit(1);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
