/**
 * docs/product.md §10, "Local data survives a restart": what was created through the API is still there after a
 * stop and a start on the same data folder; a crash mid-write never leaves a half-written store; the demo data
 * is seeded only into an empty store, with the same ids every time; a reset starts over from the demo data.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths, resetLocalData } from '../../src/local/localData';
import { startTestHost, type TestHost } from '../support/testHost';

const MEI = {
  objectId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
  displayName: 'Mei Lin',
  accountEmail: 'mei.lin@contoso.example',
  roles: [],
};

let dataDir: string;
let host: TestHost | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'benefits-persist-'));
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const start = async (dir = dataDir) => (host = await startTestHost({ dataDir: dir, persist: true }));
const stop = async () => {
  await host?.close();
  host = undefined;
};

/** Creates Mei Lin and a silver-competency purchase for fabrikam; returns the purchase id. */
async function createUserAndPurchase(h: TestHost): Promise<string> {
  const contosoAdmin = await h.tokenFor('admin@contoso.example');
  expect(
    (await h.call('POST', '/api/partners/contoso/users', { token: contosoAdmin, body: MEI })).status,
  ).toBe(201);
  const fabrikamAdmin = await h.tokenFor('admin@fabrikam.example');
  const bought = await h.call('POST', '/api/partners/fabrikam/purchases', {
    token: fabrikamAdmin,
    body: { packageId: 'silver-competency' },
  });
  expect(bought.status).toBe(201);
  return bought.body.purchase.id;
}

async function users(h: TestHost) {
  const token = await h.tokenFor('admin@contoso.example');
  const res = await h.call('GET', '/api/partners/contoso/users?pageSize=100', { token });
  return res.body.items as Array<{ objectId: string; accountEmail: string }>;
}
async function purchases(h: TestHost, partnerId: string) {
  const token = await h.tokenFor(`admin@${partnerId}.example`);
  const res = await h.call('GET', `/api/partners/${partnerId}/purchases?pageSize=100`, { token });
  return res.body.items as Array<{ id: string }>;
}

test('a user and a purchase created through the API are there after a stop and a start; the demo data is not seeded twice', async () => {
  let h = await start();
  expect(h.seed).toBeDefined();
  const purchaseId = await createUserAndPurchase(h);
  const contosoPurchases = (await purchases(h, 'contoso')).length;
  const fabrikamPurchases = (await purchases(h, 'fabrikam')).map((p) => p.id).sort();
  expect(fabrikamPurchases).toContain(purchaseId);
  await stop();

  h = await start();
  expect(h.seed).toBeUndefined();
  expect((await users(h)).map((u) => u.accountEmail)).toContain(MEI.accountEmail);
  // The API's purchase, next to fabrikam's demo purchase (docs/product.md §12 demo).
  expect((await purchases(h, 'fabrikam')).map((p) => p.id).sort()).toEqual(fabrikamPurchases);
  expect(fabrikamPurchases).toHaveLength(2);
  expect(await purchases(h, 'contoso')).toHaveLength(contosoPurchases);
  // The new user's token works after the restart (the issuer key is kept too).
  const mei = await h.token(MEI.objectId);
  expect((await h.call('GET', '/api/me', { token: mei })).body).toMatchObject({ partnerId: 'contoso' });
});

test('ETags survive a restart: an If-Match taken before the stop still matches', async () => {
  let h = await start();
  const token = await h.tokenFor('admin@contoso.example');
  const before = await h.call('GET', '/api/partners/contoso', { token });
  const etag = before.headers.get('etag')!;
  expect(etag).toBeTruthy();
  await stop();
  h = await start();
  const after = await h.call('GET', '/api/partners/contoso', { token });
  expect(after.headers.get('etag')).toBe(etag);
});

test('a write is on disk within moments, without a stop (what a kill -9 keeps)', async () => {
  const h = await start();
  await createUserAndPurchase(h);
  const file = dataPaths(dataDir).store;
  for (let i = 0; i < 100 && !(await readFile(file, 'utf8')).includes(MEI.accountEmail); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // Copy the folder as a killed host would leave it (no final flush, no runtime file clean-up).
  const copy = await mkdtemp(join(tmpdir(), 'benefits-persist-copy-'));
  try {
    await cp(dataDir, copy, { recursive: true });
    await rm(join(copy, 'runtime.json'));
    const second = await startTestHost({ dataDir: copy, persist: true });
    try {
      expect(second.seed).toBeUndefined();
      expect((await users(second)).map((u) => u.accountEmail)).toContain(MEI.accountEmail);
    } finally {
      await second.close();
    }
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test('a truncated temp file left by a kill -9 mid-write is ignored: the previous complete store loads', async () => {
  let h = await start();
  await createUserAndPurchase(h);
  await stop();
  const file = dataPaths(dataDir).store;
  const complete = await readFile(file, 'utf8');
  await writeFile(`${file}.tmp`, complete.slice(0, Math.floor(complete.length / 2)));

  h = await start();
  expect((await users(h)).map((u) => u.accountEmail)).toContain(MEI.accountEmail);
  // The next save replaces the garbage.
  const token = await h.tokenFor('admin@contoso.example');
  await h.call('POST', '/api/partners/contoso/users', {
    token,
    body: {
      ...MEI,
      objectId: '0d9a2b6c-1e3f-4a5b-8c7d-9e0f1a2b3c4d',
      accountEmail: 'second@contoso.example',
    },
  });
  await stop();
  expect(await readdir(join(dataDir, 'store'))).toEqual(['cosmos.json']);
  expect(JSON.parse(await readFile(file, 'utf8')).format).toBe('partner-benefits/embedded-cosmos@1');
});

test('garbage in the store file itself stops the start with a message naming the file (never silently reseeded)', async () => {
  await start();
  await stop();
  const file = dataPaths(dataDir).store;
  await writeFile(file, '{"format":"partner-benefits/embedded-cosmos@1","databases":[{"id"');
  await expect(start()).rejects.toThrow(new RegExp(`${file}.*not valid JSON.*npm run reset`));
});

test('the demo data has the same ids on every seeding', async () => {
  const h1 = await start();
  const first = {
    purchases: h1.seed!.purchases.map((p) => p.id),
    benefits: h1.seed!.benefits.map((b) => b.id),
  };
  await stop();
  const other = await mkdtemp(join(tmpdir(), 'benefits-persist-other-'));
  try {
    const h2 = await startTestHost({ dataDir: other, persist: true });
    try {
      expect(h2.seed!.purchases.map((p) => p.id)).toEqual(first.purchases);
      expect(h2.seed!.benefits.map((b) => b.id)).toEqual(first.benefits);
      expect(new Set(first.benefits).size).toBe(first.benefits.length);
    } finally {
      await h2.close();
    }
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('reset starts over from the demo data: created data and the outbox are gone, the issuer key stays', async () => {
  let h = await start();
  const oldToken = await h.tokenFor('admin@contoso.example');
  await createUserAndPurchase(h);
  await h.runFunction('expirySweep'); // an expiry notice and fabrikam's two reminders in the outbox
  expect(await readdir(h.outboxDir)).toHaveLength(3);
  const seeded = h.seed!;
  await stop();
  const issuerKey = await readFile(dataPaths(dataDir).issuerKey, 'utf8');

  await resetLocalData(dataDir);
  h = await start();
  expect(h.seed).toBeDefined();
  await expect(readdir(h.outboxDir)).rejects.toThrow(/ENOENT/);
  expect((await users(h)).map((u) => u.accountEmail)).not.toContain(MEI.accountEmail);
  const seededOf = (partnerId: string) =>
    seeded.purchases
      .filter((p) => p.partnerId === partnerId)
      .map((p) => p.id)
      .sort();
  expect((await purchases(h, 'fabrikam')).map((p) => p.id).sort()).toEqual(seededOf('fabrikam'));
  expect((await purchases(h, 'contoso')).map((p) => p.id).sort()).toEqual(seededOf('contoso'));
  expect(await readFile(dataPaths(dataDir).issuerKey, 'utf8')).toBe(issuerKey);
  expect((await h.call('GET', '/api/me', { token: oldToken })).status).toBe(200);
});

test('reset refuses while a host runs on the folder', async () => {
  await start();
  const runtime = join(dataDir, 'runtime.json');
  // As another process (the CLI) sees it: a live host that is not itself.
  const info = JSON.parse(await readFile(runtime, 'utf8'));
  await writeFile(runtime, JSON.stringify({ ...info, pid: process.ppid }));
  await expect(resetLocalData(dataDir)).rejects.toThrow(/is running on .*Stop it first/);
  await writeFile(runtime, JSON.stringify(info));
});

test('orchestrations do not survive a restart: the old instance is unknown (404) to the new host', async () => {
  let h = await start();
  const token = await h.tokenFor('admin@contoso.example');
  const list = await h.call('GET', '/api/partners/contoso/benefits?category=technical&status=NotActivated', {
    token,
  });
  const benefitId = list.body.items[0].id;
  expect(
    (await h.call('POST', `/api/partners/contoso/benefits/${benefitId}/activation`, { token })).status,
  ).toBe(202);
  const { instanceId } = (
    await h.call('GET', `/api/partners/contoso/benefits/${benefitId}/activation`, { token })
  ).body;
  await stop();

  h = await start();
  const res = await fetch(`${h.url}/runtime/webhooks/durabletask/instances/${instanceId}`, {
    headers: { 'x-functions-key': h.runtimeKey },
  });
  expect(res.status).toBe(404);
  // The benefit still records the attempt; a new activation request finds that instance missing (HTTP layer).
  expect((await h.call('GET', `/api/partners/contoso/benefits/${benefitId}`, { token })).body.status).toBe(
    'Pending',
  );
});
