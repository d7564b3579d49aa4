/**
 * `npm run reset`: forgets the local data created through the API (the stored data and the email outbox) in
 * `DATA_DIR` (resolved as `npm start` resolves it), so the next `npm start` seeds the demo data again. The
 * issuer key stays, so tokens already printed keep working. Exits 1 while a host is running on that folder.
 */
import { resetLocalData, resolveLocalEnvironment } from './localData';

async function main(): Promise<void> {
  const { dataDir } = resolveLocalEnvironment();
  const removed = await resetLocalData(dataDir);
  console.log(`Reset ${dataDir}: removed ${removed.join(' and ')}. The next npm start seeds the demo data.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
