/**
 * docs/product.md §10: every CLI (`token`, `sweep`, `reset`) honours the same `DATA_DIR` and `PORT` as
 * `npm start`, and says clearly when it finds no running host or no issuer key there instead of silently
 * making a new one. Each CLI runs as its own process (as `npm run` runs it) against a real host.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataPaths } from '../../src/local/localData';
import { demoObjectId } from '../../src/local/seed';
import { startTestHost, type TestHost } from '../support/testHost';

const root = resolve(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `src/local/<name>Cli.ts` like `npm run <name>`, with DATA_DIR/PORT as given (unset otherwise). */
function cli(
  name: 'token' | 'sweep' | 'reset',
  args: string[],
  env: { DATA_DIR?: string; PORT?: string },
  cwd = root,
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DATA_DIR;
  delete childEnv.PORT;
  Object.assign(childEnv, env);
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', tsx, join(root, 'src', 'local', `${name}Cli.ts`), ...args],
      { cwd, env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

let dataDir: string;
let host: TestHost | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'benefits-cli-'));
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run token', () => {
  test('with no issuer key in DATA_DIR: exit 1, a message naming the folder and the fix, and no key made', async () => {
    const r = await cli('token', ['admin@contoso.example'], { DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No local issuer key in the data folder ${dataDir}`);
    expect(r.stderr).toMatch(/set DATA_DIR/);
    expect(r.stderr).toMatch(/npm start/);
    expect(await readdir(dataDir)).toEqual([]);
  });

  test('without DATA_DIR it looks in .data of the working directory, as npm start does, and says so', async () => {
    const r = await cli('token', ['--operator'], {}, dataDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No local issuer key in the data folder ${join(dataDir, '.data')}`);
    await expect(access(join(dataDir, '.data', 'issuer'))).rejects.toThrow();
  });

  test("with a host running on DATA_DIR: the token is accepted by that host, also a created user's", async () => {
    host = await startTestHost({ dataDir });
    const admin = await cli('token', ['admin@contoso.example'], { DATA_DIR: dataDir });
    expect(admin).toMatchObject({ code: 0, stderr: '' });
    const token = admin.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const me = await host.call('GET', '/api/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ objectId: demoObjectId('admin@contoso.example'), partnerId: 'contoso' });

    const operator = await cli('token', ['--operator'], { DATA_DIR: dataDir });
    const created = await host.call('POST', '/api/operator/partners', {
      token: operator.stdout.trim(),
      body: {
        name: 'Litware Inc.',
        level: 'Silver',
        managedIn: 'PartnerCenter',
        membership: { status: 'Active', expiresAt: '2099-12-31T00:00:00Z' },
        globalAdmin: {
          objectId: 'b7e0c5a2-1d4f-4e8a-9c3b-2f6d8e0a1c4b',
          displayName: 'Ada Admin',
          accountEmail: 'admin@litware.example',
        },
      },
    });
    expect(created.status).toBe(201);
    const ada = await cli('token', ['b7e0c5a2-1d4f-4e8a-9c3b-2f6d8e0a1c4b'], { DATA_DIR: dataDir });
    expect((await host.call('GET', '/api/me', { token: ada.stdout.trim() })).status).toBe(200);
  });
});

describe('npm run sweep', () => {
  test('with no host running on DATA_DIR: exit 1 and a clear message', async () => {
    const r = await cli('sweep', [], { DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No running local host found in the data folder ${dataDir}`);
  });

  test('finds the running host (URL and key) from DATA_DIR and runs the sweep there', async () => {
    host = await startTestHost({ dataDir });
    const pastDue = host.seed!.benefits.find((b) => b.offerType === 'Gold Core' && b.status === 'Active')!;
    const r = await cli('sweep', [], { DATA_DIR: dataDir });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Expiry sweep ran');
    expect((await host.services.store.getBenefit('contoso', pastDue.id))!.value.status).toBe('Expired');
  });

  test('a PORT that is not the running host’s is named, nothing runs', async () => {
    host = await startTestHost({ dataDir });
    const pastDue = host.seed!.benefits.find((b) => b.offerType === 'Gold Core' && b.status === 'Active')!;
    const port = Number(new URL(host.url).port);
    const other = String(port === 65535 ? port - 1 : port + 1);
    const r = await cli('sweep', [], { DATA_DIR: dataDir, PORT: other });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`PORT is ${other}, but the host running on ${dataDir} listens on ${port}`);
    expect((await host.services.store.getBenefit('contoso', pastDue.id))!.value.status).toBe('Active');
  });
});

describe('npm run reset', () => {
  test('refuses while a host runs on DATA_DIR; afterwards removes the stored data so the next start seeds', async () => {
    host = await startTestHost({ dataDir, persist: true });
    const token = await host.tokenFor('admin@contoso.example');
    const created = await host.call('POST', '/api/partners/contoso/users', {
      token,
      body: {
        objectId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
        displayName: 'Mei Lin',
        accountEmail: 'mei.lin@contoso.example',
        roles: [],
      },
    });
    expect(created.status).toBe(201);

    const refused = await cli('reset', [], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is running on .*Stop it first/);
    await access(dataPaths(dataDir).store);

    await host.close();
    host = undefined;
    const reset = await cli('reset', [], { DATA_DIR: dataDir });
    expect(reset).toMatchObject({ code: 0, stderr: '' });
    await expect(access(dataPaths(dataDir).store)).rejects.toThrow();

    host = await startTestHost({ dataDir, persist: true });
    expect(host.seed).toBeDefined();
    const again = await host.call('GET', '/api/partners/contoso/users?pageSize=100', { token });
    expect(again.body.items.map((u: { accountEmail: string }) => u.accountEmail)).not.toContain(
      'mei.lin@contoso.example',
    );
  });
});

describe('npm start', () => {
  test('-- --reset starts over from the demo data; Ctrl-C saves the store and removes the runtime file', async () => {
    host = await startTestHost({ dataDir, persist: true });
    const token = await host.tokenFor('admin@contoso.example');
    await host.call('POST', '/api/partners/contoso/users', {
      token,
      body: {
        objectId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
        displayName: 'Mei Lin',
        accountEmail: 'mei.lin@contoso.example',
        roles: [],
      },
    });
    await host.close();
    host = undefined;

    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0' };
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(root, 'src', 'local', 'main.ts'), '--reset'],
      {
        cwd: root,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    for (let i = 0; i < 600 && !out.includes('Press Ctrl-C to stop.'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain(`Reset: ${dataDir} starts over from the demo data.`);
    expect(out).toContain('store:     empty, seeded with the demo data');
    const url = /running on (http:\/\/localhost:\d+)\/api/.exec(out)![1];
    const users = await fetch(`${url}/api/partners/contoso/users?pageSize=100`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ items: Array<{ accountEmail: string }> }>);
    expect(users.items.map((u: { accountEmail: string }) => u.accountEmail)).not.toContain(
      'mei.lin@contoso.example',
    );
    await access(join(dataDir, 'runtime.json'));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(access(join(dataDir, 'runtime.json'))).rejects.toThrow();
    await access(dataPaths(dataDir).store);
  });
});
