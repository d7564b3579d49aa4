/**
 * scripts/check-citations.mjs on a throw-away git repository: what it refuses (with file:line), what --fix
 * rewrites, that a second --fix changes nothing, and what it leaves for a hand edit. The forbidden citations and
 * the fixture's paths (which do not exist in this repository) are assembled at run time, so that the check of this
 * repository does not find them in this file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const OLD_SPEC = ['SP', 'EC'].join('');
const FACTS = ['notes', 'platform-' + 'facts.md'].join('/');
const SHARED = ['..', 'shared', ''].join('/');
// src/… and docs/… paths of the fixture repository
const SRC = (rel: string) => ['src', rel].join('/');
const DOCS = (rel: string) => ['docs', rel].join('/');
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
  copyFileSync(
    join(__dirname, '../../scripts/check-citations.mjs'),
    join(repo, 'scripts/check-citations.mjs'),
  );
  write('docs/product.md', PRODUCT);
  write(DOCS('notes.md'), '# Notes\n\n## Bundle and load time\n');
  write('docs/platform-notes.md', '# Platform notes\n');
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

test('a clean repository passes', () => {
  write(
    SRC('a.ts'),
    `/** Seats (docs/product.md §3, §2). See ${DOCS('notes.md')}#bundle-and-load-time. */\n`,
  );
  write('README.md', `Read [the rules](docs/product.md#s2) and [notes](${DOCS('notes.md')}).\n`);
  const r = run();
  expect(r.err).toBe('');
  expect(r.status).toBe(0);
});

test('refuses citations outside the repository, issue numbers and missing paths, with file:line', () => {
  write(
    SRC('a.ts'),
    [
      `/** Seats (${OLD_SPEC} §3). */`,
      `// see ${FACTS}`,
      `// from ${SHARED}${OLD_SPEC}.md`,
      `// done in ${ISSUE(3)}`,
      `// rules in docs/product.md §9`,
      `// see ${DOCS('missing.md')}`,
      `// the store is ${SRC('store/nothing.ts')}`,
      `// glob src/**/*.ts and template docs/<name>.md are not paths`,
    ].join('\n'),
  );
  write(DOCS('guide.md'), 'See [gone](gone.md), [here](#nowhere) and [rules](product.md#s7).\n');
  const r = run();
  expect(r.status).toBe(1);
  const lines = r.err.trim().split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^src\/a\.ts:1: outside: old spec/),
      expect.stringMatching(/^src\/a\.ts:2: outside: old platform facts note/),
      expect.stringMatching(/^src\/a\.ts:3: outside: path outside the repository/),
      expect.stringMatching(/^src\/a\.ts:4: outside: issue number cited/),
      `${SRC('a.ts')}:5: missing: docs/product.md has no §9`,
      `${SRC('a.ts')}:6: missing: no such file: ${DOCS('missing.md')}`,
      `${SRC('a.ts')}:7: missing: no such file: ${SRC('store/nothing.ts')}`,
      `${DOCS('guide.md')}:1: missing: link to a missing file: gone.md`,
      `${DOCS('guide.md')}:1: missing: ${DOCS('guide.md')} has no anchor #nowhere`,
      `${DOCS('guide.md')}:1: missing: docs/product.md has no anchor #s7`,
    ]),
  );
  expect(lines.filter((l) => l.startsWith(`${SRC('a.ts')}:8`))).toEqual([]);
});

test('--fix rewrites the mechanical cases, wraps what grew too long, and is idempotent', () => {
  const long = 'x'.repeat(80);
  write(
    SRC('a.ts'),
    [
      '/**',
      ` * ${ISSUE(6, 'Issue')}: the deployed artifact is tested (${OLD_SPEC} §3, §2).`,
      ` * Settings (${ISSUE(2)}) and the bundle (${ISSUE(6)}, ${OLD_SPEC} §1); see ${FACTS}.`,
      ` * Helpers shared by the ${ISSUE(3)} tests, from ${SHARED}${OLD_SPEC}.md §2 and the wrapped ${OLD_SPEC}`,
      ` * §3 rule.`,
      ` * ${long} (${OLD_SPEC} §3) and more words after it.`,
      ' */',
      `/** A one-line docstring that grows too long once rewritten, ${long.slice(0, 30)} (${OLD_SPEC} §2). */`,
      `// ---- ${ISSUE(5)}: conditional updates ----`,
      '',
    ].join('\n'),
  );
  const first = run('--fix');
  expect(first.err).toBe('');
  expect(first.status).toBe(0);
  const text = readFileSync(join(repo, SRC('a.ts')), 'utf8');
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
  expect(readFileSync(join(repo, SRC('a.ts')), 'utf8')).toBe(text);
});

test('--fix leaves an issue number it cannot reword, and says so', () => {
  write('README.md', `We fixed it because of ${ISSUE(4)} last week.\n`);
  const r = run('--fix');
  expect(r.status).toBe(1);
  expect(r.err).toContain('README.md:1: outside: issue number cited');
  expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(
    `We fixed it because of ${ISSUE(4)} last week.\n`,
  );
});

test('--fix leaves a generated file to its generator, and the check still reports it', () => {
  const generated = `/**\n * Generated by a script. Do not edit.\n */\n/** @description Instructions (${OLD_SPEC} §3) */\n`;
  write(SRC('api.gen.ts'), generated);
  const r = run('--fix');
  expect(r.out).toContain(`skipped ${SRC('api.gen.ts')}: generated`);
  expect(readFileSync(join(repo, SRC('api.gen.ts')), 'utf8')).toBe(generated);
  expect(r.status).toBe(1);
  expect(r.err).toContain(`${SRC('api.gen.ts')}:4: outside: old spec`);
});
