/** The portal's generated API types match the route definitions (`npm run openapi` regenerates them). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('src/web/src/api/schema.gen.ts is up to date', () => {
  const root = join(__dirname, '..', '..');
  const out = execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/openapi.ts', '--check'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  expect(out).toContain('up to date');
});
