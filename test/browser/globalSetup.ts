/** Builds the portal once per test run when its sources changed (src/local/portal.ts ensurePortalBuilt). */
import { ensurePortalBuilt } from '../../src/local/portal';

export default function globalSetup(): void {
  ensurePortalBuilt({ log: (line) => process.stdout.write(`${line}\n`) });
}
