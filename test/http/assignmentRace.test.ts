/**
 * The seat race (docs/product.md §3 "Seats"): 50 concurrent assignment requests for a 10-seat benefit over
 * real HTTP → exactly 10 × 201 and 40 × 409, and the stored benefit holds 10 assignments; repeated 20 times.
 * Real local host: real HTTP, real JWTs, the embedded Cosmos server (optimistic concurrency on the one
 * benefit document) and the email outbox. The store's retry jitter is drawn from the run's seed (FC_SEED,
 * printed with a failing round). In a file of its own so that jest runs it in parallel with the other
 * integration files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outboxFileName, readOutbox, type StoredEmail } from '../../src/email/outbox';
import { activeAssignments } from '../support/api';
import { FC_SEED, seededRandom } from '../support/seeds';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

let host: TestHost;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined); // outbox log lines
  host = await startTestHost({ random: seededRandom(FC_SEED) });
});
afterAll(async () => host?.close());

describe('RACE: 50 concurrent assignments for a 10-seat Visual Studio benefit, 20 rounds', () => {
  const ROUNDS = 20;
  const CONCURRENCY = 50;
  const userIds: string[] = [];
  let fabrikamAdmin: string;

  beforeAll(async () => {
    fabrikamAdmin = await host.tokenFor('admin@fabrikam.example');
    const userAdmin = await host.tokenFor('useradmin@fabrikam.example');
    // 50 distinct existing users of the partner, created through the API (10 requests at a time).
    for (let i = 0; i < CONCURRENCY; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          host.call('POST', '/api/partners/fabrikam/users', {
            token: userAdmin,
            body: {
              objectId: `race-user-${i + j}`,
              displayName: `Race User ${i + j}`,
              accountEmail: `race${i + j}@fabrikam.example`,
              roles: [],
            },
          }),
        ),
      );
      for (const res of batch) {
        expect(res.status).toBe(201);
        userIds.push(res.body.id);
      }
    }
    expect(new Set(userIds).size).toBe(CONCURRENCY);
  });

  test(`${ROUNDS} rounds: exactly 10 × 201 and ${CONCURRENCY - 10} × 409 seat-limit-reached, 10 seats stored`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      // A fresh 10-seat benefit: Silver gets a 10-seat Visual Studio Enterprise from silver-competency (catalog).
      const bought = await host.call('POST', '/api/partners/fabrikam/purchases', {
        token: fabrikamAdmin,
        body: { packageId: 'silver-competency' },
      });
      expect(bought.status).toBe(201);
      const vs = bought.body.benefits.find((b: any) => b.category === 'visualStudio');
      expect(vs).toMatchObject({ seats: 10, assignments: [] });

      const results = await Promise.all(
        userIds.map((userId) =>
          host.call('POST', `/api/partners/fabrikam/benefits/${vs.id}/assignments`, {
            token: fabrikamAdmin,
            body: { userId },
          }),
        ),
      );

      const created = results.filter((r) => r.status === 201);
      const refused = results.filter((r) => r.status === 409);
      const tally = {
        round,
        seed: FC_SEED,
        created: created.length,
        refused: refused.length,
        other: results.length - created.length - refused.length,
      };
      expect(tally).toEqual({ round, seed: FC_SEED, created: 10, refused: CONCURRENCY - 10, other: 0 });
      expect(new Set(refused.map((r) => r.body.code))).toEqual(new Set(['seat-limit-reached']));

      // The stored benefit holds exactly the 10 assignments that were answered 201, one per user.
      const stored = await host.services.store.getBenefit('fabrikam', vs.id);
      const active = activeAssignments(stored!.value);
      expect(active).toHaveLength(10);
      expect(stored!.value.assignments).toHaveLength(10);
      expect(new Set(active.map((a) => a.userId)).size).toBe(10);
      expect(active.map((a) => a.id).sort()).toEqual(created.map((r) => r.body.id).sort());
      expect(active.map((a) => a.userId).sort()).toEqual(created.map((r) => r.body.userId).sort());
      expect(stored!.value.status).toBe('Active');

      // One audit event and one email per seat, none for the refusals.
      const audits = await rawDocuments(host.services.store).queryAll<any>(
        'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t AND c.target.id = @b',
        [
          { name: '@p', value: 'fabrikam' },
          { name: '@t', value: 'audit' },
          { name: '@b', value: vs.id },
        ],
        'fabrikam',
      );
      expect(audits.map((e) => e.detail.assignmentId).sort()).toEqual(active.map((a) => a.id).sort());
      const mails = await Promise.all(
        active.map(async (a) => {
          const file = join(host.outboxDir, outboxFileName(`vs-${a.id}`));
          return JSON.parse(await readFile(file, 'utf8')) as StoredEmail;
        }),
      );
      expect(mails.map((m) => m.kind)).toEqual(Array(10).fill('vsAssignment'));
    }
    // No email for any of the refused requests: the outbox holds exactly one notice per seat given.
    const notices = (await readOutbox(host.outboxDir)).filter((m) => m.kind === 'vsAssignment');
    expect(notices).toHaveLength(ROUNDS * 10);
    // 1 000 assignment requests: about 45 s alone on the 2-core machine, longer while the browser tests run
    // beside it in `npm test`. The test counts outcomes, never times, so it gets room rather than jest's 60 s.
  }, 300_000);
});
