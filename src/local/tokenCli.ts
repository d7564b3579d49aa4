/**
 * `npm run -s token -- <objectId | seeded user's email>` prints only a bearer token the local host accepts;
 * `npm run -s token -- --operator` prints one with the Program.Operator app role (docs/product.md §10).
 *
 * It signs with the issuer key in `DATA_DIR` (resolved as `npm start` resolves it) and never creates one: a
 * key made here would sign tokens the running host rejects. Without a key it exits 1 naming the folder.
 */
import { loadLocalIssuer, MissingIssuerKeyError } from './issuer';
import { resolveLocalEnvironment } from './localData';
import { demoObjectId, demoUsers } from './seed';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const who = args[0];
  if (!who) {
    console.error(
      'Usage: npm run -s token -- <objectId | seeded user email>   or   npm run -s token -- --operator',
    );
    process.exit(2);
  }
  const { dataDir } = resolveLocalEnvironment();
  let issuer;
  try {
    issuer = await loadLocalIssuer(dataDir, { create: false });
  } catch (e) {
    if (!(e instanceof MissingIssuerKeyError)) throw e;
    console.error(
      [
        `No local issuer key in the data folder ${dataDir} (looked for ${e.file}).`,
        'Tokens are signed with the key the host creates at its first start, so none was made here.',
        'Start the host first (npm start), or set DATA_DIR to the folder the running host uses, e.g.',
        '  DATA_DIR=/path/used/by/npm-start npm run -s token -- admin@contoso.example',
      ].join('\n'),
    );
    process.exit(1);
  }
  if (who === '--operator') {
    process.stdout.write(
      `${await issuer.sign({ objectId: args[1] ?? demoObjectId('operator@program.example'), name: 'Program operator', operator: true })}\n`,
    );
    return;
  }
  let objectId = who;
  if (who.includes('@')) {
    const user = demoUsers().find((u) => u.email.toLowerCase() === who.toLowerCase());
    if (!user) {
      console.error(`${who} is not a seeded demo user; pass the user's objectId instead.`);
      process.exit(2);
    }
    objectId = user.objectId;
  }
  process.stdout.write(`${await issuer.sign({ objectId })}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
