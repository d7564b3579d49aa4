/**
 * `npm run start:func` (run with tsx): the "local with Core Tools" path of docs/product.md §10.
 *
 * 1. Checks that Azure Functions Core Tools (`func`) is on PATH; if not, says what to install and exits 1.
 * 2. Starts Azurite (npm package, no binary download) for AzureWebJobsStorage and the Durable Functions
 *    task hub, unless something already listens on its ports.
 * 3. Copies local.settings.sample.json to local.settings.json if that is missing.
 * 4. Runs `func start` in the foreground and stops Azurite when it exits or on Ctrl+C.
 *
 * Before `func start` it also starts the embedded Cosmos server over plain HTTP on 127.0.0.1:8081 (seeded with
 * the demo data) and the local issuer's JWKS on 127.0.0.1:7072 (src/local/devServices.ts), matching
 * local.settings.sample.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..');
const isWindows = process.platform === 'win32';
const AZURITE_PORTS = [10000, 10001, 10002]; // blob, queue, table
const AZURITE_ENTRY = join(root, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');

/** Prints a message for a person and exits with code 1 (no stack trace). */
function fail(lines: string[]): never {
  process.stderr.write(`\n${lines.join('\n')}\n\n`);
  process.exit(1);
}

function log(message: string): void {
  process.stdout.write(`[start:func] ${message}\n`);
}

/** The Core Tools version, or undefined when `func` is not on PATH. */
function funcVersion(): string | undefined {
  const result = spawnSync('func', ['--version'], { encoding: 'utf8', shell: isWindows });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitForPorts(ports: number[], timeoutMs: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const states = await Promise.all(ports.map(isListening));
    if (states.every(Boolean)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function checkFunc(): string {
  const version = funcVersion();
  if (version) return version;
  return fail([
    'Azure Functions Core Tools (`func`) is not on PATH.',
    '',
    'Install version 4, then run `npm run start:func` again:',
    '  * on a machine with internet access: npm i -g azure-functions-core-tools@4',
    '    (its install step downloads the Functions host from a Microsoft CDN)',
    '  * or the OS package: winget install Microsoft.Azure.FunctionsCoreTools (Windows),',
    '    brew tap azure/functions && brew install azure-functions-core-tools@4 (macOS),',
    '    or the `azure-functions-core-tools-4` package from the Microsoft apt/yum repository (Linux).',
    '',
    'No Core Tools? `npm start` runs the same functions in the local host without them.',
  ]);
}

function ensureLocalSettings(): void {
  const target = join(root, 'local.settings.json');
  if (existsSync(target)) return;
  copyFileSync(join(root, 'local.settings.sample.json'), target);
  log('created local.settings.json from local.settings.sample.json');
}

function checkBuilt(): void {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string };
  const main = pkg.main ?? 'dist/index.js';
  if (!existsSync(join(root, main))) {
    fail([
      `${main} (package.json "main", what the Functions host loads) does not exist.`,
      'Run `npm run build` first.',
    ]);
  }
}

async function startAzurite(): Promise<ChildProcess | undefined> {
  const busy = await Promise.all(AZURITE_PORTS.map(isListening));
  if (busy.every(Boolean)) {
    log('ports 10000-10002 already answer: using the Azurite that is running');
    return undefined;
  }
  if (busy.some(Boolean)) {
    fail([
      `Some of the Azurite ports ${AZURITE_PORTS.join(', ')} are taken by another process, some are free.`,
      'Stop whatever holds them and try again.',
    ]);
  }
  if (!existsSync(AZURITE_ENTRY)) {
    fail([
      'Azurite (the Azure Storage emulator Durable Functions needs locally) is not installed.',
      'Install it as a dev dependency:  npm i -D azurite@3.37.0',
    ]);
  }
  const location = join(root, '.data', 'azurite');
  mkdirSync(location, { recursive: true });
  // Started with node directly, not npx: killing npx would leave Azurite orphaned on the ports.
  const azurite = spawn(
    process.execPath,
    [
      AZURITE_ENTRY,
      '--silent',
      '--disableTelemetry',
      '--location',
      location,
      '--blobHost',
      '127.0.0.1',
      '--queueHost',
      '127.0.0.1',
      '--tableHost',
      '127.0.0.1',
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (!(await waitForPorts(AZURITE_PORTS, 30_000, azurite))) {
    azurite.kill();
    fail(['Azurite did not start listening on ports 10000-10002 within 30 s.']);
  }
  log(`Azurite is up (data in ${location})`);
  return azurite;
}

async function main(): Promise<void> {
  const version = checkFunc();
  log(`Azure Functions Core Tools ${version}`);
  checkBuilt();
  ensureLocalSettings();
  const azurite = await startAzurite();
  const { startDevServices } = await import('../src/local/devServices');
  const dev = await startDevServices({ dataDir: join(root, '.data') });
  log(`Embedded Cosmos DB on ${dev.cosmosEndpoint} (demo data seeded); local issuer JWKS on ${dev.jwksUri}`);

  const func = spawn('func', ['start', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    shell: isWindows,
  });

  const stop = (): void => {
    if (azurite && azurite.exitCode === null) azurite.kill();
    void dev.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (func.exitCode === null) func.kill(signal);
      stop();
    });
  }
  func.on('error', (err) => {
    stop();
    fail([`Could not run \`func start\`: ${err.message}`]);
  });
  func.on('exit', (code, signal) => {
    stop();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main().catch((err: unknown) => {
  fail([`start:func failed: ${err instanceof Error ? err.message : String(err)}`]);
});
