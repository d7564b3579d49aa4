/**
 * docs/product.md §10: the local runtime endpoints — the Durable Functions webhooks and `/admin/*` — need the
 * key the host writes into the data folder at start, as the Functions host needs its system key. Without it a
 * caller (or a web page) could list every orchestration with its input, fulfil an activation bypassing the
 * operator role, terminate one, start one, or run the sweep.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/local/clock';
import { startTestHost, type TestHost } from '../support/testHost';

const HOOK = '/runtime/webhooks/durabletask';
let host: TestHost;
let admin: string;
let benefitId: string;
let instanceId: string;

async function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${host.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}
const withKey = () => ({ 'x-functions-key': host.runtimeKey });

async function benefit() {
  return (await host.call('GET', `/api/partners/contoso/benefits/${benefitId}`, { token: admin })).body;
}

beforeAll(async () => {
  // A manual clock: the activation waits for the operator (P3D) while the test runs.
  host = await startTestHost({ clock: new ManualClock(new Date()) });
  admin = await host.tokenFor('admin@contoso.example');
  const list = await host.call(
    'GET',
    '/api/partners/contoso/benefits?category=technical&status=NotActivated',
    {
      token: admin,
    },
  );
  benefitId = list.body.items[0].id;
  const started = await host.call('POST', `/api/partners/contoso/benefits/${benefitId}/activation`, {
    token: admin,
  });
  expect(started.status).toBe(202);
  await host.durable.whenIdle();
  const activation = await host.call('GET', `/api/partners/contoso/benefits/${benefitId}/activation`, {
    token: admin,
  });
  instanceId = activation.body.instanceId;
  expect(host.durable.getStatus(instanceId)?.runtimeStatus).toBe('Running');
});
afterAll(async () => host?.close());

function expectKeyRequired(res: Awaited<ReturnType<typeof raw>>) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.json).toMatchObject({ status: 401, code: 'unauthorized' });
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
}

describe('without the runtime key', () => {
  test('listing orchestrations is refused and reveals no input', async () => {
    const res = await raw('GET', `${HOOK}/instances`);
    expectKeyRequired(res);
    expect(res.text).not.toContain(benefitId);
  });

  test('reading one orchestration is refused', async () => {
    expectKeyRequired(await raw('GET', `${HOOK}/instances/${instanceId}`));
  });

  test('raising ActivationFulfilled is refused: the benefit stays Pending', async () => {
    const res = await raw(
      'POST',
      `${HOOK}/instances/${instanceId}/raiseEvent/ActivationFulfilled`,
      { 'Content-Type': 'application/json' },
      '{"accessId":"AID-1","contractId":"CID-1"}',
    );
    expectKeyRequired(res);
    await host.durable.whenIdle();
    expect((await benefit()).status).toBe('Pending');
    expect(host.durable.getStatus(instanceId)?.runtimeStatus).toBe('Running');
  });

  test('terminating is refused', async () => {
    expectKeyRequired(await raw('POST', `${HOOK}/instances/${instanceId}/terminate?reason=x`));
    expect(host.durable.getStatus(instanceId)?.runtimeStatus).toBe('Running');
  });

  test('starting an orchestration is refused: no instance appears', async () => {
    const before = host.durable.listInstances().length;
    const res = await raw(
      'POST',
      `${HOOK}/orchestrators/activationOrchestrator/forged-1`,
      { 'Content-Type': 'application/json' },
      JSON.stringify({ partnerId: 'contoso', benefitId, requestedBy: 'unauthenticated' }),
    );
    expectKeyRequired(res);
    expect(host.durable.listInstances()).toHaveLength(before);
    expect(host.durable.getStatus('forged-1')).toBeUndefined();
  });

  test('running the expiry sweep is refused: the past-due offer stays Active', async () => {
    const pastDue = host.seed!.benefits.find((b) => b.offerType === 'Gold Core' && b.status === 'Active')!;
    expectKeyRequired(await raw('POST', '/admin/functions/expirySweep'));
    expect((await host.services.store.getBenefit('contoso', pastDue.id))!.value.status).toBe('Active');
  });

  test('a wrong key, an empty key, or a key for another path prefix are refused', async () => {
    expectKeyRequired(await raw('GET', `${HOOK}/instances`, { 'x-functions-key': 'wrong' }));
    expectKeyRequired(await raw('GET', `${HOOK}/instances?code=`));
    expectKeyRequired(await raw('GET', `${HOOK}/instances?code=${host.runtimeKey.slice(1)}`));
    expectKeyRequired(await raw('GET', `/runtime/anything`));
    expectKeyRequired(await raw('POST', `/admin/host/status`));
  });

  test('a browser preflight gets no CORS permission', async () => {
    const res = await raw('OPTIONS', `${HOOK}/instances`, {
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('with the runtime key', () => {
  test('the key and the URL are in runtime.json in the data folder', async () => {
    const info = JSON.parse(await readFile(join(host.dataDir, 'runtime.json'), 'utf8'));
    expect(info).toMatchObject({ url: host.url, key: host.runtimeKey, pid: process.pid });
    expect(host.runtimeKey.length).toBeGreaterThanOrEqual(43);
  });

  test('as the x-functions-key header or the code query parameter, as the Functions host accepts', async () => {
    const byHeader = await raw('GET', `${HOOK}/instances/${instanceId}`, withKey());
    expect(byHeader.status).toBe(202);
    expect(byHeader.json).toMatchObject({ instanceId, runtimeStatus: 'Running' });
    const byQuery = await raw(
      'GET',
      `${HOOK}/instances/${instanceId}?code=${encodeURIComponent(host.runtimeKey)}`,
    );
    expect(byQuery.status).toBe(202);
    // The status link handed out carries the key too, as the Functions host's links do.
    expect(byQuery.headers.get('location')).toContain(`code=${encodeURIComponent(host.runtimeKey)}`);
  });

  test('an unknown instance is 404, as on the real host', async () => {
    const res = await raw('GET', `${HOOK}/instances/activation-no-such-benefit-1`, withKey());
    expect(res.status).toBe(404);
  });

  test("the functions' durable client carries the key: the operator's fulfilment completes the activation", async () => {
    const operator = await host.token('operator-oid', { operator: true });
    const fulfilled = await host.call(
      'POST',
      `/api/operator/partners/contoso/benefits/${benefitId}/activation/fulfilment`,
      { token: operator, body: { accessId: 'AID-0042-7781', contractId: 'CID-9930-1184' } },
    );
    expect(fulfilled.status).toBe(202);
    await host.durable.whenIdle();
    expect(await benefit()).toMatchObject({ status: 'Active', accessId: 'AID-0042-7781' });
    expect(host.durable.getStatus(instanceId)?.runtimeStatus).toBe('Completed');
  });

  test('POST /admin/functions/expirySweep runs the sweep (what npm run sweep sends)', async () => {
    const pastDue = host.seed!.benefits.find((b) => b.offerType === 'Gold Core' && b.status === 'Active')!;
    const res = await raw('POST', '/admin/functions/expirySweep', withKey());
    expect(res.status).toBe(202);
    expect((await host.services.store.getBenefit('contoso', pastDue.id))!.value.status).toBe('Expired');
  });
});

test('each start has its own key', async () => {
  const other = await startTestHost({ seed: false });
  try {
    expect(other.runtimeKey).not.toBe(host.runtimeKey);
    const res = await fetch(`${other.url}${HOOK}/instances`, { headers: withKey() });
    expect(res.status).toBe(401);
  } finally {
    await other.close();
  }
});

test('the request log never shows the key', async () => {
  const lines: string[] = [];
  const other = await startTestHost({ seed: false, verbose: true, log: (line) => lines.push(line) });
  try {
    const res = await fetch(
      `${other.url}${HOOK}/instances?code=${encodeURIComponent(other.runtimeKey)}&showInput=true`,
    );
    expect(res.status).toBe(200);
    const line = lines.find((l) => l.includes(`${HOOK}/instances`));
    expect(line).toContain('code=***&showInput=true → 200');
    expect(lines.join('\n')).not.toContain(other.runtimeKey);
  } finally {
    await other.close();
  }
});
