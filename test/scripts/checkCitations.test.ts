/**
 * scripts/check-citations.mjs on a throw-away git repository: what it refuses (with file:line), what --fix
 * rewrites, that a second --fix changes nothing, and what it leaves for a hand edit. The forbidden citations are
 * assembled at run time so that this file does not contain them itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SPEC = ['SP', 'EC'].join('');
const FACTS = ['notes', 'platform-facts.md'].join('/');
const SHARED = ['..', 'shared', ''].join('/');
const ISSUE = (n: number, word = 'issue') => `${word} #${n}`;

const PRODUCT = [
  '# Product',
  '',
  '## §1 People <a id="s1"></a>',
  '',
  '## §2 Who may do what <a id="s2"></a>',
  '',
  '## §3 Catalog <a id="s3"></a>',
  '',
].join('\n');

let repo: string;

function write(rel: string, text: string) {
  mkdirSync(dirname(join(repo, rel)), { recursive: true });
  writeFileSync(join(repo, rel), text);
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repo, 'scripts/check-citations.mjs'), ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'citations-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  mkdirSync(join(repo, 'scripts'));
  copyFileSync(join(__dirname, '../../scripts/check-citations.mjs'), join(repo, 'scripts/check-citations.mjs'));
  write('docs/product.md', PRODUCT);
  write('docs/notes.md', '# Notes\n\n## Bundle and load time\n');
  write('docs/platform-notes.md', '# Platform notes\n');
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

test('a clean repository passes', () => {
  write('src/a.ts', '/** Seats (docs/product.md §3, §2). See docs/notes.md#bundle-and-load-time. */\n');
  write('README.md', 'Read [the rules](docs/product.md#s2) and [notes](docs/notes.md).\n');
  const r = run();
  expect(r.err).toBe('');
  expect(r.status).toBe(0);
});

test('refuses citations outside the repository, issue numbers and missing paths, with file:line', () => {
  write(
    'src/a.ts',
    [
      `/** Seats (${SPEC} §3). */`,
      `// see ${FACTS}`,
      `// from ${SHARED}${SPEC}.md`,
      `// done in ${ISSUE(3)}`,
      `// rules in docs/product.md §9`,
      `// see docs/missing.md`,
      `// the store is src/store/nothing.ts`,
      `// glob src/**/*.ts and template docs/<name>.md are not paths`,
    ].join('\n'),
  );
  write('docs/guide.md', 'See [gone](gone.md), [here](#nowhere) and [rules](product.md#s7).\n');
  const r = run();
  expect(r.status).toBe(1);
  const lines = r.err.trim().split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^src\/a\.ts:1: outside: old spec/),
      expect.stringMatching(/^src\/a\.ts:2: outside: old platform-facts note/),
      expect.stringMatching(/^src\/a\.ts:3: outside: path outside the repository/),
      expect.stringMatching(/^src\/a\.ts:4: outside: issue number cited/),
      'src/a.ts:5: missing: docs/product.md has no §9',
      'src/a.ts:6: missing: no such file: docs/missing.md',
      'src/a.ts:7: missing: no such file: src/store/nothing.ts',
      'docs/guide.md:1: missing: link to a missing file: gone.md',
      'docs/guide.md:1: missing: docs/guide.md has no anchor #nowhere',
      'docs/guide.md:1: missing: docs/product.md has no anchor #s7',
    ]),
  );
  expect(lines.filter((l) => l.startsWith('src/a.ts:8'))).toEqual([]);
});

test('--fix rewrites the mechanical cases, wraps what grew too long, and is idempotent', () => {
  const long = 'x'.repeat(80);
  write(
    'src/a.ts',
    [
      '/**',
      ` * ${ISSUE(6, 'Issue')}: the deployed artifact is tested (${SPEC} §3, §2).`,
      ` * Settings (${ISSUE(2)}) and the bundle (${ISSUE(6)}, ${SPEC} §1); see ${FACTS}.`,
      ` * Helpers shared by the ${ISSUE(3)} tests, from ${SHARED}${SPEC}.md §2 and the wrapped ${SPEC}`,
      ` * §3 rule.`,
      ` * ${long} (${SPEC} §3) and more words after it.`,
      ' */',
      `/** A one-line docstring that grows too long once rewritten, ${long.slice(0, 30)} (${SPEC} §2). */`,
      `// ---- ${ISSUE(5)}: conditional updates ----`,
      '',
    ].join('\n'),
  );
  const first = run('--fix');
  expect(first.err).toBe('');
  expect(first.status).toBe(0);
  const text = readFileSync(join(repo, 'src/a.ts'), 'utf8');
  expect(text).toBe(
    [
      '/**',
      ' * The deployed artifact is tested (docs/product.md §3, §2).',
      ' * Settings and the bundle (docs/product.md §1); see docs/platform-notes.md.',
      ' * Helpers shared by the tests, from docs/product.md §2 and the wrapped docs/product.md',
      ' * §3 rule.',
      ` * ${long} (docs/product.md §3) and`,
      ' * more words after it.',
      ' */',
      '/**',
      ` * A one-line docstring that grows too long once rewritten, ${long.slice(0, 30)}`,
      ' * (docs/product.md §2).',
      ' */',
      '// ---- conditional updates ----',
      '',
    ].join('\n'),
  );
  expect(run().status).toBe(0);
  const second = run('--fix');
  expect(second.out).toContain('0 file(s) rewritten');
  expect(readFileSync(join(repo, 'src/a.ts'), 'utf8')).toBe(text);
});

test('--fix leaves an issue number it cannot reword, and says so', () => {
  write('README.md', `We fixed it because of ${ISSUE(4)} last week.\n`);
  const r = run('--fix');
  expect(r.status).toBe(1);
  expect(r.err).toContain('README.md:1: outside: issue number cited');
  expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(`We fixed it because of ${ISSUE(4)} last week.\n`);
});
