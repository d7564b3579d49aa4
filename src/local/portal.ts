/**
 * The benefits portal in the local host (docs/product.md §11): serves the built single-page app from
 * `dist-web/` at `/` (SPA fallback for client routes, gzip, long-lived caching of hashed assets, the same
 * security headers as `src/web/public/staticwebapp.config.json`), and the local-only sign-in routes:
 *
 * - `GET /.local/users` → `{ users: [{ objectId, email, displayName, partnerId, partnerName, roles }] }`:
 *   every user of every partner in the store (demo users and users created at run time).
 * - `POST /.local/token` `{ objectId }` or `{ operator: true }` → `{ token }`: a bearer token from the local
 *   issuer, exactly what `npm run -s token` prints.
 *
 * Nothing here is part of the function app: production never imports `src/local/`, so the deployed API has
 * no such routes, and the deployed portal bundle (built with `--mode production`) has no local sign-in.
 *
 * {@link ensurePortalBuilt} builds the portal with Vite when the sources changed since the last build
 * (a SHA-256 over `src/web/`, the domain modules it imports and the lock file, kept in
 * `dist-web/.source-hash`), so `npm start` and the test suite never serve a stale portal.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpResponseInit } from '@azure/functions';
import { problemResponse } from '../http/problem';
import type { Partner, User } from '../domain/types';
import type { Services } from '../services';
import type { LocalIssuer } from './issuer';
import { rawDocuments } from '../store/raw';

/** Repository root (this file is `src/local/portal.ts`). */
const REPO_ROOT = resolve(__dirname, '..', '..');
/** Where `npm start` and the tests serve the portal from. */
const PORTAL_DIST = join(REPO_ROOT, 'dist-web');
/** The Vite mode of the local build: local sign-in instead of MSAL. */
const LOCAL_PORTAL_MODE = 'localhost';

const HASH_FILE = '.source-hash';
/** Inputs of the portal build: changing any of them makes the built portal stale. */
const SOURCE_INPUTS = ['src/web', 'src/domain/permissions.ts', 'src/domain/errors.ts', 'package-lock.json'];

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => listFiles(join(path, e.name)));
}

/** SHA-256 (hex) over the portal's sources, paths included, in a stable order. */
function portalSourceHash(root = REPO_ROOT): string {
  const hash = createHash('sha256');
  const files = SOURCE_INPUTS.flatMap((p) => listFiles(join(root, p))).sort();
  for (const file of files) {
    hash.update(file.slice(root.length).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True when `outDir` holds a build of the current sources. */
function isPortalFresh(outDir = PORTAL_DIST, root = REPO_ROOT): boolean {
  const file = join(outDir, HASH_FILE);
  return (
    existsSync(join(outDir, 'index.html')) &&
    existsSync(file) &&
    readFileSync(file, 'utf8').trim() === portalSourceHash(root)
  );
}

/**
 * Builds the portal into `outDir` with Vite (in a child process) unless it is fresh.
 * @returns `built` when a build ran, `fresh` when nothing had to be done.
 * @throws Error with Vite's output when the build fails.
 */
export function ensurePortalBuilt(
  options: { outDir?: string; mode?: string; log?: (line: string) => void; force?: boolean } = {},
): 'built' | 'fresh' {
  const outDir = options.outDir ?? PORTAL_DIST;
  if (!options.force && isPortalFresh(outDir)) return 'fresh';
  const started = Date.now();
  options.log?.('Building the portal (src/web changed since the last build)…');
  const hash = portalSourceHash();
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      join(REPO_ROOT, 'src', 'web', 'vite.config.ts'),
      '--mode',
      options.mode ?? LOCAL_PORTAL_MODE,
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, PORTAL_SOURCE_HASH: hash } },
  );
  if (r.status !== 0) {
    throw new Error(`The portal build failed (vite build):\n${r.stdout}\n${r.stderr}`);
  }
  options.log?.(`Portal built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 'built';
}

/** What the portal handler needs from the host. */
export interface LocalPortalOptions {
  services: Services;
  issuer: LocalIssuer;
  /** Folder of the built portal; default `dist-web/`. Missing → a page telling how to build it. */
  distDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt']);

/**
 * Security headers of every portal response: the same policy as `staticwebapp.config.json` in Azure
 * (no inline scripts; Fluent UI injects styles at run time, hence `style-src 'unsafe-inline'`).
 */
export const PORTAL_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
});

/** A local user as the sign-in page lists it. */
export interface LocalUserEntry {
  objectId: string;
  email: string;
  displayName: string;
  partnerId: string;
  partnerName: string;
  roles: string[];
}

/**
 * Creates the handler the local host calls for every request outside `/api/`. Answers `undefined` for
 * paths it does not serve (the host then answers 404).
 */
export function createLocalPortal(options: LocalPortalOptions) {
  const distDir = resolve(options.distDir ?? PORTAL_DIST);
  const cache = new Map<string, { body: Buffer; gzip?: Buffer }>();

  async function listLocalUsers(): Promise<LocalUserEntry[]> {
    const docs = rawDocuments(options.services.store);
    const [users, partners] = await Promise.all([
      docs.queryAll<User>('SELECT * FROM c WHERE c.type = @t', [{ name: '@t', value: 'user' }]),
      docs.queryAll<Partner>('SELECT * FROM c WHERE c.type = @t', [{ name: '@t', value: 'partner' }]),
    ]);
    const names = new Map(partners.map((p) => [p.id, p.name]));
    return users
      .map((u) => ({
        objectId: u.objectId,
        email: u.accountEmail,
        displayName: u.displayName,
        partnerId: u.partnerId,
        partnerName: names.get(u.partnerId) ?? u.partnerId,
        roles: u.roles,
      }))
      .sort(
        (a, b) =>
          a.partnerName.localeCompare(b.partnerName) ||
          b.roles.length - a.roles.length ||
          a.email.localeCompare(b.email, 'en', { numeric: true }),
      );
  }

  async function file(path: string, acceptsGzip: boolean): Promise<HttpResponseInit | undefined> {
    const full = normalize(join(distDir, path));
    if (!full.startsWith(distDir + sep)) return undefined;
    let entry = cache.get(full);
    if (!entry) {
      try {
        if (!statSync(full).isFile()) return undefined;
      } catch {
        return undefined;
      }
      entry = { body: await readFile(full) };
      if (COMPRESSIBLE.has(extname(full)) && entry.body.length > 512) entry.gzip = gzipSync(entry.body);
      // index.html is re-read after a rebuild; hashed assets never change.
      if (!full.endsWith('index.html')) cache.set(full, entry);
    }
    const immutable = path.startsWith('/assets/');
    const headers: Record<string, string> = {
      ...PORTAL_SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(full)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      Vary: 'Accept-Encoding',
    };
    if (entry.gzip && acceptsGzip) {
      headers['Content-Encoding'] = 'gzip';
      return { status: 200, headers, body: new Uint8Array(entry.gzip) };
    }
    return { status: 200, headers, body: new Uint8Array(entry.body) };
  }

  /**
   * Serves `/.local/*` and the portal. `body` is the raw request body.
   * @returns the response, or undefined when the path is not the portal's.
   */
  async function handle(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): Promise<HttpResponseInit | undefined> {
    const path = url.pathname;
    if (path === '/.local/users') {
      if (method !== 'GET') return problemResponse('method-not-allowed', `${method} is not allowed.`);
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
        body: JSON.stringify({ users: await listLocalUsers() }),
      };
    }
    if (path === '/.local/token') {
      if (method !== 'POST') return problemResponse('method-not-allowed', `${method} is not allowed.`);
      let request: { objectId?: unknown; operator?: unknown };
      try {
        request = JSON.parse(body || '{}') as typeof request;
      } catch {
        return problemResponse('validation-failed', 'The body is not valid JSON.');
      }
      if (request.operator === true) {
        const token = await options.issuer.sign({ objectId: 'local-program-operator', operator: true });
        return { status: 200, headers: { 'Cache-Control': 'no-store' }, jsonBody: { token } };
      }
      if (
        typeof request.objectId !== 'string' ||
        request.objectId.length === 0 ||
        request.objectId.length > 128
      )
        return problemResponse('validation-failed', 'Send { "objectId": "…" } or { "operator": true }.');
      const known = await options.services.store.findDirectoryEntry(request.objectId);
      if (!known) return problemResponse('not-found', 'No local user has this object id.');
      const token = await options.issuer.sign({ objectId: request.objectId });
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, jsonBody: { token } };
    }
    if (path.startsWith('/.local/')) return problemResponse('not-found', `No route for ${path}.`);
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path.startsWith('/api/') || path.startsWith('/runtime/') || path.startsWith('/admin/'))
      return undefined;

    if (!existsSync(join(distDir, 'index.html'))) {
      return {
        status: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' },
        body: 'The portal is not built yet. Run `npm start` (it builds the portal) or `npm run build:web`.',
      };
    }
    const acceptsGzip = /\bgzip\b/.test(String(headers['accept-encoding'] ?? ''));
    if (path !== '/' && extname(path) !== '') {
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return problemResponse('not-found', 'No such file.');
      }
      const served = await file(decoded, acceptsGzip);
      if (served) return served;
      if (path.startsWith('/assets/')) return problemResponse('not-found', `No file ${path}.`);
    }
    // SPA fallback: every client route gets index.html.
    return file('/index.html', acceptsGzip);
  }

  return { handle, listLocalUsers };
}
