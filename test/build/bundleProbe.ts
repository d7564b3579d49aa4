/**
 * Child-process probe of test/build/bundle.test.ts: `node --import tsx test/build/bundleProbe.ts <bundle>`.
 *
 * Installs the local `@azure/functions-core` exactly as `npm start` does, serves the **built bundle**
 * (not the sources) with the local host, drives it over real HTTP with real tokens, and prints one JSON
 * report on stdout. It decides nothing: the test asserts on the report.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { installFunctionsCore } from '../../src/local/installFunctionsCore';

installFunctionsCore();

async function main(): Promise<void> {
  const bundle = process.argv[2];
  if (!bundle) throw new Error('usage: bundleProbe.ts <bundle>');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestHost } = require('../support/testHost') as typeof import('../support/testHost');
  // Chunk files of the bundle (dist/chunks/) that are loaded, so the test can tell what each step needed.
  const bundleDir = dirname(resolve(bundle));
  const loadedChunks = () =>
    Object.keys(require.cache)
      .filter((p) => p.startsWith(bundleDir))
      .map((p) => relative(bundleDir, p))
      .sort();
  const host = await startTestHost({ functionsEntry: bundle });
  const afterLoad = loadedChunks();
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await host.call(method, `/api${path}`, { token, body });
    return { status: res.status, type: res.headers.get('content-type'), body: res.body as any };
  };
  try {
    const admin = await host.tokenFor('admin@contoso.example');
    const operator = await host.token('00000000-0000-4000-8000-00000000beef', { operator: true });

    const health = await call('GET', '/health');
    const noToken = await call('GET', '/partners/contoso/benefits');
    const benefits = await call('GET', '/partners/contoso/benefits?pageSize=100', admin);
    const afterFirstList = loadedChunks();
    // A token whose signature does not match: jose's error class is recognised in the minified bundle too.
    const [head, payload, signature] = admin.split('.');
    const badSignature = await call(
      'GET',
      '/partners/contoso/benefits',
      `${head}.${payload}.${[...signature].reverse().join('')}`,
    );
    const items = (benefits.body?.items ?? []) as Array<{ id: string; category: string; status: string }>;

    // A technical activation end to end: the bundle's durable client starts the bundle's orchestration,
    // the operator fulfils it, the activities email instructions and mark it Active.
    const technical = items.find((b) => b.category === 'technical' && b.status === 'NotActivated');
    const start = technical
      ? await call('POST', `/partners/contoso/benefits/${technical.id}/activation`, admin)
      : undefined;
    let activation: Awaited<ReturnType<typeof call>> | undefined;
    let fulfilment: Awaited<ReturnType<typeof call>> | undefined;
    if (technical) {
      for (let i = 0; i < 200; i++) {
        fulfilment = await call(
          'POST',
          `/operator/partners/contoso/benefits/${technical.id}/activation/fulfilment`,
          operator,
          { accessId: 'AID-0042-7781', contractId: 'CID-9930-1184' },
        );
        if (fulfilment.status !== 409) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      for (let i = 0; i < 400; i++) {
        activation = await call('GET', `/partners/contoso/benefits/${technical.id}/activation`, admin);
        if (activation.body?.status !== 'Pending') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const activated = technical
      ? await call('GET', `/partners/contoso/benefits/${technical.id}`, admin)
      : undefined;
    const sweep = await host.runFunction('expirySweep');
    const outbox = [];
    for (const f of await readdir(host.outboxDir).catch(() => [] as string[])) {
      const m = JSON.parse(await readFile(join(host.outboxDir, f), 'utf8'));
      outbox.push(m.kind as string);
    }
    const report = {
      functions: host.functions.map((f) => ({
        name: f.name,
        bindings: f.bindings,
        retryOptions: f.retryOptions,
      })),
      health: health.status,
      noToken: { status: noToken.status, type: noToken.type },
      badSignature: { status: badSignature.status, detail: badSignature.body?.detail },
      benefits: { status: benefits.status, categories: [...new Set(items.map((b) => b.category))].sort() },
      activation: {
        start: start?.status,
        fulfilment: fulfilment?.status,
        final: activation?.body?.status,
        accessId: activated?.body?.accessId,
        contractId: activated?.body?.contractId,
      },
      sweep,
      outbox: outbox.sort(),
      chunks: { afterLoad, afterFirstList, atEnd: loadedChunks() },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await host.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
