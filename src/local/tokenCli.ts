/**
 * `npm run -s token -- <objectId | seeded user's email>` prints only a bearer token the local host accepts;
 * `npm run -s token -- --operator` prints one with the Program.Operator app role (SPEC §10).
 */
import { loadLocalIssuer } from './issuer';
import { demoObjectId, demoUsers } from './seed';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dataDir = process.env.DATA_DIR ?? '.data';
  const issuer = await loadLocalIssuer(dataDir);
  if (args[0] === '--operator') {
    process.stdout.write(
      `${await issuer.sign({ objectId: args[1] ?? demoObjectId('operator@program.example'), name: 'Program operator', operator: true })}\n`,
    );
    return;
  }
  const who = args[0];
  if (!who) {
    console.error(
      'Usage: npm run -s token -- <objectId | seeded user email>   or   npm run -s token -- --operator',
    );
    process.exit(2);
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
