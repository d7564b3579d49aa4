/**
 * The adapters stay thin (docs/architecture.md): every route handler (src/http/routes), every function of the
 * trigger files (functions/: the timer) and every activity (src/orchestration/activities.ts) is at most 30 lines and
 * hands the work to src/app. Measured on the source with the TypeScript parser, so formatting cannot hide a long body.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const MAX_LINES = 30;

/** `[where, lines]` of every function-valued node `pick` selects in `file`. */
function bodies(file: string, pick: (node: ts.Node) => ts.Node | undefined): Array<[string, number]> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Array<[string, number]> = [];
  const visit = (node: ts.Node) => {
    const fn = pick(node);
    if (fn) {
      const start = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      out.push([`${file}:${start + 1}`, end - start + 1]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const isFunction = (n: ts.Node | undefined): n is ts.FunctionLikeDeclaration =>
  !!n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n));

const files = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`);

test('every route handler is at most 30 lines', () => {
  const handlers = files('src/http/routes').flatMap((file) =>
    bodies(file, (n) =>
      ts.isPropertyAssignment(n) && n.name.getText() === 'handle' && isFunction(n.initializer)
        ? n.initializer
        : undefined,
    ),
  );
  expect(handlers.length).toBeGreaterThanOrEqual(37);
  expect(handlers.filter(([, lines]) => lines > MAX_LINES)).toEqual([]);
});

test('the timer, the other trigger functions and every activity are at most 30 lines', () => {
  const triggers = files('functions').flatMap((file) => bodies(file, (n) => (isFunction(n) ? n : undefined)));
  const activities = bodies('src/orchestration/activities.ts', (n) =>
    ts.isVariableDeclaration(n) && isFunction(n.initializer) ? n.initializer : undefined,
  );
  expect(activities).toHaveLength(6);
  expect(triggers.some(([where]) => where.startsWith('functions/expiry.ts'))).toBe(true);
  expect([...triggers, ...activities].filter(([, lines]) => lines > MAX_LINES)).toEqual([]);
});

test('route files reach the store only through src/app: no handler names services.store', () => {
  const offenders = files('src/http/routes').filter((file) =>
    /services\.store\b|\bstore\.\w+\(/.test(readFileSync(join(ROOT, file), 'utf8')),
  );
  expect(offenders).toEqual([]);
});
