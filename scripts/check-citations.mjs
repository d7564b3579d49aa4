#!/usr/bin/env node
/**
 * Checks that the repository explains itself: every citation in a text file points at something inside the
 * repository that exists. Plain Node, no dependencies. Part of `npm run lint`.
 *
 *   node scripts/check-citations.mjs          check; exit 1 and list file:line for every problem
 *   node scripts/check-citations.mjs --fix    rewrite what can be rewritten mechanically, print each change,
 *                                             then check again (exit 1 if something still needs a hand edit)
 *
 * Files: what git tracks, plus new files git would add (`git ls-files --cached --others --exclude-standard`),
 * except package-lock.json and binary files (a NUL byte in the first 8 KiB).
 *
 * This file itself is exempt from the checks and from --fix: it names what it refuses, by example.
 *
 * Refused (kind `outside`): citations of things a clone of this repository does not have —
 *   - a path into the shared folder next to the repository (`../shared/…`, `/work/shared/…`),
 *   - the old platform-facts note (`notes/platform-facts.md`, or `platform-facts` alone),
 *   - the old product specification: `SPEC.md`, or the bare word `SPEC` (usually as `SPEC §n`); its rules are
 *     docs/product.md now, with the same section numbers,
 *   - issue numbers (`issue #n`, `issues #n and #m`, any case).
 *
 * Refused (kind `missing`): citations of repository paths that do not exist —
 *   - `docs/<name>.md` anywhere, optionally with `#anchor`, must exist (and the anchor too: an explicit
 *     `id="…"`/`name="…"` or a heading's GitHub slug),
 *   - section signs after `docs/product.md` (`docs/product.md §3, §9`, `§§3–5`) must be sections of
 *     docs/product.md (its headings `## §n`),
 *   - in Markdown files, relative links `[text](path#anchor)` and same-page `(#anchor)` must resolve,
 *   - a path from the repository root (`src/…`, `test/…`, `functions/…`, `scripts/…`, `bench/…`, `infra/…`,
 *     `docs/…`, `.ci/…`) ending in a file extension must exist; glob and template paths (`*`, `{`, `<`, `$`) are
 *     skipped.
 *
 * --fix (idempotent: a second run changes nothing; a generated file — "Generated … Do not edit" in its header — is
 * only reported, to be regenerated from its fixed sources, e.g. `npm run openapi`):
 *   - the old spec by path or name → `docs/product.md`, keeping the sections: `SPEC §n`, `SPEC §§n–m`,
 *     `SPEC.md §n`, `../shared/SPEC.md`, and a `SPEC` at the end of a line whose `§n` wrapped to the next,
 *   - the old platform-facts note by any path → `docs/platform-notes.md`,
 *   - issue numbers: ` (issue #6)` is removed with its leading space; `(issue #6, X)` and `(X, issue #6)` become
 *     `(X)`; a sentence or comment that starts with `Issue #6:`, `Issue #6,` or `Issue #6 word` loses it and its
 *     next word is capitalised; `the issue #3 tests` → `the tests`; `issue #5: ` is removed.
 *     Anything else is left and reported: reword it by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['package-lock.json']);

const SELF = 'scripts/check-citations.mjs';
const SHARED = /(?:\.\.|\/work)\/shared\//g;
const FACTS = /(?:(?:\.\.\/|\/work\/)?shared\/)?(?:notes\/)?\bplatform-facts\b(?:\.md)?/g;
const SPEC_WORD = /\bSPEC\b(?:\.md)?/g;
const ISSUE = /\bissues? #\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)#\d+)*/gi;

/** Repository-relative paths of the text files to check. */
function listFiles() {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = [...new Set(out.split('\0').filter(Boolean))].sort();
  return files.filter((f) => {
    if (SKIP.has(f.split('/').pop())) return false;
    const abs = join(root, f);
    if (!existsSync(abs) || !statSync(abs).isFile()) return false; // deleted in the work tree
    const head = readFileSync(abs).subarray(0, 8192);
    return !head.includes(0);
  });
}

const fileCache = new Map();
function readText(rel) {
  if (!fileCache.has(rel)) {
    const abs = join(root, rel);
    fileCache.set(rel, existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : null);
  }
  return fileCache.get(rel);
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces → hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchorCache = new Map();
/** Anchors a Markdown file offers: explicit ids/names and heading slugs (with GitHub's -1, -2 for repeats). */
function anchorsOf(rel) {
  if (anchorCache.has(rel)) return anchorCache.get(rel);
  const text = readText(rel) ?? '';
  const anchors = new Set();
  const seen = new Map();
  let fence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    for (const m of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
  }
  anchorCache.set(rel, anchors);
  return anchors;
}

let productSections;
/** Section numbers of docs/product.md (`## §n` headings). */
function sections() {
  if (!productSections) {
    productSections = new Set();
    for (const m of (readText('docs/product.md') ?? '').matchAll(/^##\s+§(\d+)\b/gm))
      productSections.add(m[1]);
  }
  return productSections;
}

/** Section numbers cited right after a `docs/product.md` match: `§3`, `§3, §9`, `§§3–5`, `§3 and §4`. */
const SECTION_LIST =
  /^(?:#[\w-]+)?((?:\s*(?:,|and|or|\/|&)?\s*§{1,2}\s*\d+(?:\.\d+)*(?:\s*[–-]\s*§{0,2}\s*\d+(?:\.\d+)*)?)+)/;

function sectionProblems(rest) {
  const m = SECTION_LIST.exec(rest);
  if (!m) return [];
  const problems = [];
  for (const part of m[1].matchAll(/§{1,2}\s*(\d+)(?:\.\d+)*(?:\s*[–-]\s*§{0,2}\s*(\d+))?/g)) {
    for (const n of [part[1], part[2]].filter(Boolean)) {
      if (!sections().has(n)) problems.push(`docs/product.md has no §${n}`);
    }
  }
  return problems;
}

const ROOT_PATH =
  /(?<![\w.@/~-])((?:src|test|functions|scripts|bench|infra|docs|\.ci)\/[\w./-]*\.[A-Za-z][\w]*)(#[\w-]+)?/g;

function isGlobOrTemplate(s) {
  return /[*{}<>$]/.test(s);
}

function checkAnchor(target, anchor) {
  if (!anchor || !target.endsWith('.md')) return null;
  return anchorsOf(target).has(anchor) ? null : `${target} has no anchor #${anchor}`;
}

/** Citations of things outside the repository, in one line. */
function checkOutside(line, add) {
  for (const m of line.matchAll(SHARED)) add('outside', `path outside the repository: ${m[0]}…`);
  for (const m of line.matchAll(FACTS))
    add('outside', `old platform facts note: ${m[0]} (→ docs/platform-notes.md)`);
  for (const m of line.matchAll(SPEC_WORD)) add('outside', `old spec cited as ${m[0]} (→ docs/product.md)`);
  for (const m of line.matchAll(ISSUE)) add('outside', `issue number cited: ${m[0]}`);
}

/** All problems of one file: [{ line, kind, message }]. */
function check(rel, text) {
  const problems = [];
  const lines = text.split('\n');
  const isMarkdown = rel.endsWith('.md');
  lines.forEach((line, i) => {
    const add = (kind, message) => problems.push({ line: i + 1, kind, message });
    checkOutside(line, add);

    // Paths from the repository root (docs/…, src/…) must exist; sections after docs/product.md too.
    for (const m of line.matchAll(ROOT_PATH)) {
      let path = m[1].replace(/[.]+$/, ''); // a sentence's full stop
      if (
        isGlobOrTemplate(path) ||
        isGlobOrTemplate(line.slice(m.index + m[0].length, m.index + m[0].length + 1))
      )
        continue;
      if (!/\.[A-Za-z]\w*$/.test(path)) continue;
      if (!existsSync(join(root, path))) {
        add('missing', `no such file: ${path}`);
        continue;
      }
      const anchorProblem = checkAnchor(path, m[2]?.slice(1));
      if (anchorProblem) add('missing', anchorProblem);
      if (path === 'docs/product.md') {
        const rest = line.slice(m.index + m[1].length);
        for (const p of sectionProblems(rest)) add('missing', p);
      }
    }

    // Markdown links relative to the file, and same-page anchors.
    if (isMarkdown) {
      for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const href = m[1];
        if (/^[a-z][\w+.-]*:/i.test(href) || href.startsWith('//')) continue; // URL, mailto:
        const [pathPart, anchor] = href.split('#');
        if (!pathPart) {
          if (anchor && !anchorsOf(rel).has(anchor)) add('missing', `${rel} has no anchor #${anchor}`);
          continue;
        }
        if (isGlobOrTemplate(pathPart)) continue;
        const target = normalize(relative(root, resolve(join(root, dirname(rel)), decodeURI(pathPart))));
        if (target.startsWith('..')) {
          add('outside', `link leaves the repository: ${href}`);
          continue;
        }
        if (!existsSync(join(root, target))) {
          add('missing', `link to a missing file: ${href}`);
          continue;
        }
        const anchorProblem = checkAnchor(target, anchor);
        if (anchorProblem) add('missing', anchorProblem);
      }
    }
  });
  return problems;
}

const upperFirst = (_m, pre, c) => pre + c.toUpperCase();
const I = String.raw`[Ii]ssues? #\d+(?:(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+|[ \t]+or[ \t]+)#\d+)*`;
const LINE_RULES = [
  // The old spec, by path or by name.
  [/(?:(?:\.\.|\/work)\/shared\/)?\bSPEC\.md\b/g, 'docs/product.md'],
  [/\bSPEC\b/g, 'docs/product.md'],
  // The old platform-facts note, by any path.
  [FACTS, 'docs/platform-notes.md'],
  // Issue numbers.
  [new RegExp(String.raw`[ \t]*\(${I}\)`, 'g'), ''], // " (issue 6)"
  [new RegExp(String.raw`\(${I}[ \t]*[,;:][ \t]*`, 'g'), '('], // "(issue 6, X)" → "(X)"
  [new RegExp(String.raw`[ \t]*[,;][ \t]*${I}(?=\))`, 'g'), ''], // "(X, issue 6)" → "(X)"
  // A sentence or comment that starts with "Issue N: …", "Issue N, …" or "Issue N word".
  [
    new RegExp(
      String.raw`(^[ \t]*(?:\/\/+|\*|#+|-|>)?[ \t]*|[.!?][ \t]+)${I}(?:[ \t]*[:,][ \t]*|[ \t]+)(\w)`,
      'g',
    ),
    upperFirst,
  ],
  [new RegExp(String.raw`\b(the) ${I} (?=\w)`, 'gi'), '$1 '], // "the issue 3 tests" → "the tests"
  [new RegExp(String.raw`\b${I}:[ \t]*`, 'g'), ''], // "issue 5: conditional…" → "conditional…"
];

const WIDTH = 110; // prettier's printWidth, also kept by hand in the Markdown files
const LIST_MARKER = /^(?:[-*+]|\d+\.) /;

/**
 * A prose line that may be wrapped: a whole-line comment (`//`, ` * `, `#`) in code, or a paragraph or list line
 * in Markdown. Returns its prefix and the prefix its continuation lines carry, or null.
 */
function prose(line, markdown) {
  if (markdown) {
    if (/^\s*(?:[|#<>]|```|~~~)/.test(line) || !line.trim()) return null;
    const m = /^(\s*)((?:[-*+]|\d+\.) )?/.exec(line);
    return { prefix: m[0], cont: m[1] + ' '.repeat(m[2]?.length ?? 0) };
  }
  const m = /^(\s*(?:\/\/+|\*|#+)[ \t]+)((?:[-*+]|\d+\.) )?(?=\S)/.exec(line);
  if (!m || /^\s*\*\//.test(line)) return null;
  return { prefix: m[0], cont: m[1] + ' '.repeat(m[2]?.length ?? 0) };
}

/** Whether `line` continues the paragraph whose continuation prefix is `cont`. */
function continues(line, cont, markdown) {
  if (line === undefined || !line.startsWith(cont)) return false;
  const rest = line.slice(cont.length);
  if (!rest || /^\s/.test(rest) || LIST_MARKER.test(rest) || /^(?:[@|#<>]|```|~~~|\*\/)/.test(rest))
    return false;
  return markdown || prose(line, false) !== null;
}

/**
 * The last space at or before `WIDTH` outside a `code span`, not before a `§` (a citation stays on one line) and
 * not inside `{@link …}`, after the line's prefix; -1 if none.
 */
function breakAt(line, prefixLength) {
  let best = -1;
  let ticks = 0;
  for (let i = 0; i < line.length && i <= WIDTH; i++) {
    if (line[i] === '`') ticks++;
    else if (
      line[i] === ' ' &&
      i > prefixLength &&
      ticks % 2 === 0 &&
      line[i + 1] !== '§' &&
      !/\{@\w+$/.test(line.slice(0, i)) // inside a {@link …} tag
    )
      best = i;
  }
  return best;
}

/**
 * Re-wraps the prose lines that a rewrite made longer than WIDTH: the words past the width move to the start of
 * the paragraph's next line (or a new line with the same prefix), and so on down. Lines the rewrite did not touch
 * stay as they are.
 */
function wrap(lines, changed, markdown) {
  const insert = (at, line) => {
    lines.splice(at, 0, line);
    const later = [...changed].filter((j) => j >= at).sort((a, b) => b - a);
    for (const j of later) {
      changed.delete(j);
      changed.add(j + 1);
    }
    changed.add(at);
  };
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    if (markdown && /^\s*(```|~~~)/.test(lines[i])) fence = !fence;
    if (fence || !changed.has(i) || lines[i].length <= WIDTH) continue;
    const oneLine = markdown ? null : /^(\s*)\/\*\* (.*?) \*\/$/.exec(lines[i]);
    if (oneLine) {
      // a one-line docstring grown too long becomes a block: /** ⏎ * text ⏎ */
      const [, indent, body] = oneLine;
      lines[i] = `${indent}/**`;
      insert(i + 1, `${indent} * ${body}`);
      insert(i + 2, `${indent} */`);
      changed.delete(i + 2);
      continue; // the next line is the text, wrapped in the next round
    }
    const p = prose(lines[i], markdown);
    if (!p) continue;
    const at = breakAt(lines[i], p.prefix.length);
    if (at < 0) continue;
    const head = lines[i].slice(0, at).trimEnd();
    const tail = lines[i].slice(at + 1).trim();
    if (!tail) continue;
    lines[i] = head;
    if (continues(lines[i + 1], p.cont, markdown)) {
      lines[i + 1] = p.cont + tail + ' ' + lines[i + 1].slice(p.cont.length);
      changed.add(i + 1);
    } else {
      insert(i + 1, p.cont + tail);
    }
  }
}

/**
 * The mechanical rewrite of one file's text (see the header), line by line, then the rewritten lines re-wrapped
 * to WIDTH. Pure and idempotent: fix(fix(t)) === fix(t).
 *
 * @param {string} text the file's content
 * @param {string} rel its path in the repository (Markdown is wrapped as Markdown)
 */
export function fix(text, rel = '') {
  const lines = text.split('\n');
  const changed = new Set();
  lines.forEach((line, i) => {
    let t = line;
    for (const [re, to] of LINE_RULES) t = t.replace(re, to);
    if (t !== line) {
      lines[i] = t;
      changed.add(i);
    }
  });
  if (changed.size > 0) wrap(lines, changed, rel.endsWith('.md'));
  return lines.join('\n');
}

/** A generated file (its header says "Generated … Do not edit"): --fix leaves it to its generator. */
function isGenerated(text) {
  const head = text.slice(0, 600);
  return /\bgenerated\b/i.test(head) && /\bdo not edit\b/i.test(head);
}

function main(argv) {
  const doFix = argv.includes('--fix');
  const quiet = argv.includes('--quiet');
  const files = listFiles();
  if (doFix) {
    let changed = 0;
    for (const rel of files) {
      if (rel === SELF) continue;
      const before = readText(rel);
      if (isGenerated(before)) {
        if (fix(before, rel) !== before)
          console.log(`skipped ${rel}: generated; fix its sources and regenerate it`);
        continue;
      }
      const after = fix(before, rel);
      if (after !== before) {
        writeFileSync(join(root, rel), after);
        fileCache.set(rel, after);
        anchorCache.delete(rel);
        changed++;
        if (!quiet) console.log(`fixed ${rel}`);
      }
    }
    productSections = undefined;
    console.log(`check-citations --fix: ${changed} file(s) rewritten; review them with git diff`);
  }
  const all = [];
  for (const rel of files)
    if (rel !== SELF) for (const p of check(rel, readText(rel))) all.push({ rel, ...p });
  for (const p of all) console.error(`${p.rel}:${p.line}: ${p.kind}: ${p.message}`);
  if (all.length > 0) {
    console.error(
      `check-citations: ${all.length} problem(s) in ${new Set(all.map((p) => p.rel)).size} file(s)` +
        (doFix
          ? ' left after --fix: reword them by hand'
          : '; `node scripts/check-citations.mjs --fix` rewrites the mechanical ones'),
    );
    return 1;
  }
  if (!quiet)
    console.log(`check-citations: ${files.length} files, every citation resolves inside the repository`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
