/**
 * docs/product.md §10, startup: until the host is ready a request is answered `503` with `Retry-After` — it
 * never hangs; a start that fails releases the port; two hosts never share a data folder.
 */
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHost } from '../support/testHost';

/** A fetch that gives up after 5 s, so a hanging request fails the test instead of timing it out. */
function probe(url: string, init: RequestInit = {}) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'benefits-startup-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

test('a request while the host starts gets 503 problem+json with Retry-After: 1, then the host serves', async () => {
  const seen: Array<{
    path: string;
    status: number;
    retryAfter: string | null;
    type: string | null;
    body: any;
  }> = [];
  const host = await startTestHost({
    dataDir,
    whileStarting: async (url) => {
      for (const path of [
        '/api/health',
        '/api/partners/contoso/benefits',
        '/runtime/webhooks/durabletask/instances',
      ]) {
        const res = await probe(`${url}${path}`);
        seen.push({
          path,
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          type: res.headers.get('content-type'),
          body: await res.json(),
        });
      }
    },
  });
  try {
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      expect(s).toMatchObject({ status: 503, retryAfter: '1', type: 'application/problem+json' });
      expect(s.body).toMatchObject({ status: 503, code: 'starting' });
    }
    expect((await probe(`${host.url}/api/health`)).status).toBe(200);
  } finally {
    await host.close();
  }
});

test('a start that fails releases the port and leaves no runtime file', async () => {
  await mkdir(join(dataDir, 'store'), { recursive: true });
  await writeFile(join(dataDir, 'store', 'cosmos.json'), '{"not":"a snapshot"}');
  let url = '';
  await expect(
    startTestHost({
      dataDir,
      persist: true,
      whileStarting: (u) => {
        url = u;
      },
    }),
  ).rejects.toThrow(/cosmos\.json is not local data this version can read.*npm run reset/);
  expect(url).not.toBe('');
  await expect(probe(`${url}/api/health`)).rejects.toThrow();
  await expect(access(join(dataDir, 'runtime.json'))).rejects.toThrow();
});

test('a second host on the same data folder is refused with the first one named', async () => {
  const first = await startTestHost({ dataDir, seed: false });
  try {
    // The runtime file names a live process other than this one (as a second `npm start` would see it).
    const info = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    await writeFile(join(dataDir, 'runtime.json'), JSON.stringify({ ...info, pid: process.ppid }));
    await expect(startTestHost({ dataDir, seed: false })).rejects.toThrow(
      new RegExp(`Another local host \\(process ${process.ppid}, ${first.url}\\) is running on ${dataDir}`),
    );
  } finally {
    await first.close();
  }
});
