/**
 * `npm run sweep`: asks the running local host to run the expiry timer now (the expiry sweep, then the notices
 * before things run out, SPEC §8 and §12), through the Functions host's
 * admin route `POST /admin/functions/expirySweep` (the same route Core Tools serves).
 */
async function main(): Promise<void> {
  const port = process.env.PORT ?? '7071';
  const res = await fetch(`http://127.0.0.1:${port}/admin/functions/expirySweep`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"input":""}',
  }).catch(() => undefined);
  if (!res) {
    console.error(`No local host on port ${port}. Start it with npm start (or set PORT).`);
    process.exit(1);
  }
  if (res.status !== 202) {
    console.error(`The sweep did not run: HTTP ${res.status} ${await res.text()}`);
    process.exit(1);
  }
  console.log(
    'Expiry sweep ran. Expired benefits now show status Expired; their notices and the reminders now due (benefits, memberships, last free seats) are in the outbox.',
  );
}

void main();
