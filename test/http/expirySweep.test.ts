/**
 * The expiry sweep (docs/product.md §8): 2 000 benefits across 5 partners of which 150 are due → 150 Expired
 * and 150 notices (owed in the expiry's unit of work, sent by the outbox relay); two sweeps at once → still one
 * notice per benefit; a provider that is down delays notices, never loses or doubles them; Cosmos round trips grow with the
 * expired count, not with the number of benefits; the budget; and the demo data swept through the registered
 * timer function.
 */
import type { Benefit, Partner, User } from '../../src/domain/types';
import { readOutbox } from '../../src/email/outbox';
import { rename, rm, writeFile } from 'node:fs/promises';
import { expiryNoticeKey, runExpirySweep } from '../../src/app/expirySweep';
import { OUTBOX_GRACE_MS, OUTBOX_MAX_ATTEMPTS, outboxBackoffMs } from '../../src/app/outbox';
import { ManualClock } from '../../src/local/clock';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/** Per partner: 4 employees, 1 contact user; partners 1–3 have a marketing contact, 4–5 do not. */
const USERS_PER_PARTNER = 4;
const EXPIRED_PER_PARTNER = 30; // 6 Go-To-Market offers + 24 Visual Studio benefits with assignees
const GTM_PER_PARTNER = 6;

interface SeededSet {
  prefix: string;
  partners: Partner[];
  expired: Benefit[];
  /** Benefits left Active because they are not due yet. */
  activeNotDue: number;
  total: number;
}

/**
 * Seeds 5 partners (through the store, with users and, for three of them, a marketing contact) and `total`
 * benefits written directly to the container, `EXPIRED_PER_PARTNER` per partner due (Active, expiresAt <= NOW, one exactly
 * at NOW); the rest are not due: Active in the future (one at NOW + 1 ms), already Expired, Cancelled with a past
 * expiresAt, NotActivated, Pending.
 */
async function seedSet(host: TestHost, prefix: string, total: number): Promise<SeededSet> {
  const store = host.services.store;
  const partners: Partner[] = [];
  for (let i = 1; i <= 5; i++) {
    const id = `${prefix}-p${i}`;
    const partner: Partner = {
      id,
      name: `Sweep ${prefix} ${i}`,
      level: 'Gold',
      managedIn: 'PartnerCenter',
      membership: { status: 'Active', expiresAt: iso(365 * DAY) },
      createdAt: iso(-400 * DAY),
    };
    const user = (n: string, roles: User['roles']): User => ({
      id: `${id}-${n}`,
      partnerId: id,
      objectId: `${id}-${n}`,
      displayName: `${n} of ${id}`,
      accountEmail: `${n}@${id}.example`,
      roles,
      createdAt: iso(-400 * DAY),
    });
    await store.createPartner(partner, user('admin', ['GlobalAdmin']));
    for (let u = 1; u <= USERS_PER_PARTNER; u++) await store.createUser(user(`dev${u}`, []));
    await store.createUser(user('contact', []));
    if (i <= 3) {
      partner.marketingContact = {
        userId: `${id}-contact`,
        email: `marketing@${id}.mail.example`,
        phone: '+14255550100',
        preferredLanguage: i === 1 ? 'zh-TW' : 'en-US',
        status: 'Verified',
        updatedAt: iso(-30 * DAY),
        verifiedAt: iso(-30 * DAY),
      };
      await store.updatePartner(id, (p) => ({ value: { ...p, marketingContact: partner.marketingContact } }));
    }
    partners.push(partner);
  }

  const docs: Benefit[] = [];
  const expired: Benefit[] = [];
  const perPartner = total / partners.length;
  partners.forEach((partner, pi) => {
    for (let k = 0; k < perPartner; k++) {
      const id = `${prefix}-b${pi}-${k}`;
      const gtm = k < GTM_PER_PARTNER;
      const base: Benefit = {
        id,
        partnerId: partner.id,
        purchaseId: `${prefix}-purchase-${pi}`,
        packageId: 'gold-competency',
        catalogItemId: gtm ? 'gtm-gold-core' : 'visual-studio-enterprise',
        category: gtm ? 'goToMarket' : 'visualStudio',
        productName: gtm ? 'Gold Core' : 'Visual Studio Enterprise subscription',
        ...(gtm ? { offerType: 'Gold Core' as const } : { seats: 25 }),
        status: 'Active',
        assignments: [],
        activatedAt: iso(-400 * DAY),
        createdAt: iso(-400 * DAY),
      };
      if (!gtm) {
        base.assignments = [
          {
            id: `${id}-a1`,
            userId: `${partner.id}-dev${(k % USERS_PER_PARTNER) + 1}`,
            assignedAt: iso(-300 * DAY),
            assignedBy: `${partner.id}-admin`,
          },
          {
            id: `${id}-a0`,
            userId: `${partner.id}-dev${((k + 1) % USERS_PER_PARTNER) + 1}`,
            assignedAt: iso(-350 * DAY),
            assignedBy: `${partner.id}-admin`,
            endedAt: iso(-320 * DAY),
          },
        ];
      }
      let b: Benefit;
      if (k < EXPIRED_PER_PARTNER) {
        b = { ...base, expiresAt: k === GTM_PER_PARTNER ? iso(0) : iso(-(k + 1) * 3600 * 1000) };
        expired.push(b);
      } else {
        switch (k % 6) {
          case 0:
            b = { ...base, expiresAt: k === EXPIRED_PER_PARTNER ? iso(1) : iso(30 * DAY) };
            break;
          case 1:
            b = { ...base, status: 'Expired', expiresAt: iso(-10 * DAY) };
            break;
          case 2:
            b = { ...base, status: 'Cancelled', expiresAt: iso(-5 * DAY) };
            break;
          case 3:
            b = { ...base, status: 'Pending', activatedAt: undefined };
            break;
          default:
            b = { ...base, status: 'NotActivated', activatedAt: undefined, assignments: [] };
        }
      }
      docs.push(b);
    }
  });
  // Point creates, 50 in flight (the embedded server's bulk endpoint is ~10x slower per document).
  for (let i = 0; i < docs.length; i += 50) {
    await Promise.all(
      docs
        .slice(i, i + 50)
        .map((d) => rawDocuments(store).create('benefit', JSON.parse(JSON.stringify(d)) as Benefit)),
    );
  }
  const activeNotDue = docs.filter((d) => d.status === 'Active').length - expired.length;
  return { prefix, partners, expired, activeNotDue, total: docs.length };
}

/** The expiry notices in the outbox for the due benefits of a seeded set. */
async function noticesOf(host: TestHost, set: SeededSet) {
  const ids = new Set(set.expired.map((b) => expiryNoticeKey(b.id)));
  return (await readOutbox(host.outboxDir)).filter(
    (m) => m.kind === 'expiryNotice' && ids.has(m.idempotencyKey),
  );
}

const roundTrips = (c: { queries: number; reads: number; writes: number }) => c.queries + c.reads + c.writes;

describe('sweep at scale (embedded Cosmos, no demo data)', () => {
  let host: TestHost;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    host = await startTestHost({ clock, seed: false });
    jest.spyOn(console, 'info').mockImplementation(() => undefined); // one outbox log line per notice
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await host?.close();
  });

  const expireAudits = async (set: SeededSet) => {
    const all: Array<{ target: { id: string } }> = [];
    for (const p of set.partners) {
      all.push(
        ...(await rawDocuments(host.services.store).queryAll<{ target: { id: string } }>(
          'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t AND c.action = @a',
          [
            { name: '@p', value: p.id },
            { name: '@t', value: 'audit' },
            { name: '@a', value: 'benefit.expire' },
          ],
          p.id,
        )),
      );
    }
    return all;
  };

  let perExpired: { queries: number; reads: number; writes: number; batches: number };

  test('2 000 benefits, 150 due across 5 partners → 150 Expired, 150 notices to the right people', async () => {
    const set = await seedSet(host, 'a', 2000);
    expect(set.expired).toHaveLength(150);
    const send = jest.spyOn(host.services.email, 'send');
    host.cosmos.resetCounts();
    const result = await runExpirySweep(host.services, { budget: 10_000, pageSize: 100 });
    perExpired = host.cosmos.counts();
    expect(result).toEqual({ expired: 150, notices: 150, pages: 2 });
    expect(send).not.toHaveBeenCalled(); // owed, not sent: the relay sends after the commit
    await host.flushChangeFeed();
    expect(send).toHaveBeenCalledTimes(150);
    send.mockRestore();

    // 24 of each partner's 30 due benefits are Visual Studio benefits with one active and one ended assignment.
    expect(set.expired.filter((b) => b.assignments.length === 2)).toHaveLength(5 * 24);
    for (const b of set.expired) {
      const after = (await host.services.store.getBenefit(b.partnerId, b.id))!.value;
      expect(after.status).toBe('Expired');
      // Every assignment has ended: the active one now, the one that had ended before keeps its own end.
      const ends = Object.fromEntries(after.assignments.map((a) => [a.id, a.endedAt]));
      const expected =
        b.category === 'visualStudio'
          ? { [`${b.id}-a1`]: NOW.toISOString(), [`${b.id}-a0`]: iso(-320 * DAY) }
          : {};
      expect({ id: b.id, ends }).toEqual({ id: b.id, ends: expected });
    }
    // Nothing else changed: 1 850 benefits not due keep their status.
    const boundary = (await host.services.store.getBenefit('a-p1', 'a-b0-30'))!.value;
    expect(boundary).toMatchObject({ status: 'Active', expiresAt: iso(1) });
    const stillActive = await rawDocuments(host.services.store).queryAll<{ id: string }>(
      'SELECT c.id FROM c WHERE c.type = @t AND c.status = @s',
      [
        { name: '@t', value: 'benefit' },
        { name: '@s', value: 'Active' },
      ],
    );
    expect(set.activeNotDue).toBe(310);
    expect(stillActive).toHaveLength(set.activeNotDue);
    const cancelled = (await host.services.store.getBenefit('a-p1', 'a-b0-32'))!.value;
    expect(cancelled.status).toBe('Cancelled');

    const mails = await noticesOf(host, set);
    expect(mails).toHaveLength(150);
    const byKey = new Map(mails.map((m) => [m.idempotencyKey, m]));
    // Go-To-Market with a marketing contact → the contact, in their language.
    const gtm1 = byKey.get(expiryNoticeKey('a-b0-0'))!;
    expect(gtm1.to.map((t) => t.address)).toEqual(['marketing@a-p1.mail.example']);
    expect(gtm1.locale).toBe('zh-TW');
    // Go-To-Market without a marketing contact → the partner's GlobalAdmins (product decision).
    const gtm5 = byKey.get(expiryNoticeKey('a-b4-0'))!;
    expect(gtm5.to.map((t) => t.address)).toEqual(['admin@a-p5.example']);
    expect(gtm5.locale).toBe('en-US');
    // Others → the assignees whose seat the expiry ended (not earlier holders).
    const vs = byKey.get(expiryNoticeKey('a-b1-7'))!;
    expect(vs.to.map((t) => t.address)).toEqual(['dev4@a-p2.example']);
    expect(vs.plainText).toContain('Visual Studio Enterprise subscription');

    expect(await expireAudits(set)).toHaveLength(150);
    // Idempotent: a second run finds nothing.
    expect(await runExpirySweep(host.services, { budget: 10_000 })).toEqual({
      expired: 0,
      notices: 0,
      pages: 1,
    });
  });

  test('round trips grow with the expired count, not with the benefits: 150 of 500 costs what 150 of 2 000 cost', async () => {
    const set = await seedSet(host, 'b', 500);
    expect(set.expired).toHaveLength(150);
    host.cosmos.resetCounts();
    const result = await runExpirySweep(host.services, { budget: 10_000, pageSize: 100 });
    const small = host.cosmos.counts();
    expect(result).toEqual({ expired: 150, notices: 150, pages: 2 });
    expect({
      queries: small.queries,
      reads: small.reads,
      writes: small.writes,
      batches: small.batches,
    }).toEqual({
      queries: perExpired.queries,
      reads: perExpired.reads,
      writes: perExpired.writes,
      batches: perExpired.batches,
    });
    // The formula (see runExpirySweep): queries = pages + GTM partners without contact (2);
    // reads = partners (5) + distinct users read (4 assignees × 5 + 3 contacts);
    // batches = expired (ONE unit of work each: the benefit on the page's ETag, its audit event, its notice's outbox
    // record); no other write. (It was 4 round trips per expired benefit: read, write, notice state, audit.)
    const expired = 150;
    expect(small.queries).toBe(2 + 2);
    expect(small.reads).toBe(5 + (USERS_PER_PARTNER * 5 + 3));
    expect(small.writes).toBe(0);
    expect(small.batches).toBe(expired);
    expect(roundTrips(small) + small.batches).toBe(expired + 32);
    await host.flushChangeFeed();
  });

  test('two sweeps at once expire each benefit once and send one notice each', async () => {
    const set = await seedSet(host, 'c', 500);
    const send = jest.spyOn(host.services.email, 'send');
    const [one, two] = await Promise.all([
      runExpirySweep(host.services, { budget: 10_000, pageSize: 40 }),
      runExpirySweep(host.services, { budget: 10_000, pageSize: 40 }),
    ]);
    expect(one.expired + two.expired).toBe(150);
    expect(one.notices + two.notices).toBe(150);
    await host.flushChangeFeed();
    expect(send).toHaveBeenCalledTimes(150);
    send.mockRestore();
    const mails = await noticesOf(host, set);
    expect(mails).toHaveLength(150);
    const audits = await expireAudits(set);
    expect(audits).toHaveLength(150);
    expect(new Set(audits.map((a) => a.target.id)).size).toBe(150);
    for (const b of set.expired) {
      expect((await host.services.store.getBenefit(b.partnerId, b.id))!.value.status).toBe('Expired');
    }
  });

  test('the per-run budget: 150 due, budget 60 → 60, 60, 30, then 0', async () => {
    await seedSet(host, 'd', 500);
    const runs = [];
    for (let i = 0; i < 4; i++)
      runs.push((await runExpirySweep(host.services, { budget: 60, pageSize: 25 })).expired);
    expect(runs).toEqual([60, 60, 30, 0]);
    await host.flushChangeFeed();
  });

  test('the budget defaults to EXPIRY_SWEEP_BUDGET', async () => {
    await seedSet(host, 'e', 500);
    const services = { ...host.services, config: { ...host.services.config, EXPIRY_SWEEP_BUDGET: 100 } };
    expect((await runExpirySweep(services)).expired).toBe(100);
    expect((await runExpirySweep(host.services)).expired).toBe(50);
    await host.flushChangeFeed();
  });
});

describe('expiry notices are never lost: a failed send is retried by the outbox timer', () => {
  let host: TestHost;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    host = await startTestHost({ clock, seed: false });
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await host?.close();
  });

  /** A real provider failure: the outbox folder is replaced by a plain file, so every write fails (ENOTDIR). */
  async function breakOutbox(): Promise<void> {
    await rename(host.outboxDir, `${host.outboxDir}.ok`).catch(() => undefined);
    await writeFile(host.outboxDir, 'not a folder');
  }
  async function repairOutbox(): Promise<void> {
    await rm(host.outboxDir, { force: true });
    await rename(`${host.outboxDir}.ok`, host.outboxDir).catch(() => undefined);
  }
  const stored = async (b: Benefit) => (await host.services.store.getBenefit(b.partnerId, b.id))!.value;
  const owed = async (b: Benefit) =>
    (await host.services.store.findOutboxRecord(b.partnerId, `outbox:${expiryNoticeKey(b.id)}`))!.value;

  test('provider down: benefits expire, notices stay owed; the timer sends each once after its back-off', async () => {
    const set = await seedSet(host, 'f', 50);
    expect(set.expired).toHaveLength(50);
    await breakOutbox();
    try {
      const first = await runExpirySweep(host.services, { budget: 10_000 });
      expect(first).toMatchObject({ expired: 50, notices: 50 });
      await host.flushChangeFeed(); // the relay's first attempt fails
    } finally {
      await repairOutbox();
    }
    for (const b of set.expired) {
      expect((await stored(b)).status).toBe('Expired');
      expect(await owed(b)).toMatchObject({ status: 'Pending', attempts: 1 });
    }
    expect(await noticesOf(host, set)).toHaveLength(0);

    // Before the back-off has passed the timer leaves them; after it, two timers at once send each once.
    clock.set(new Date(NOW.getTime() + outboxBackoffMs(1) - 1));
    await host.runFunction('outboxRetry');
    expect(await noticesOf(host, set)).toHaveLength(0);
    clock.set(new Date(NOW.getTime() + outboxBackoffMs(1) + OUTBOX_GRACE_MS));
    await Promise.all([host.runFunction('outboxRetry'), host.runFunction('outboxRetry')]);
    const mails = await noticesOf(host, set);
    expect(mails).toHaveLength(50);
    // The recipients are those whose assignments the expiry ended, not earlier holders.
    const vs = mails.find((m) => m.idempotencyKey === expiryNoticeKey('f-b1-7'))!;
    expect(vs.to.map((t) => t.address)).toEqual(['dev4@f-p2.example']);
    for (const x of set.expired) expect(await owed(x)).toMatchObject({ status: 'Sent', attempts: 1 });

    // A later sweep expires nothing and owes nothing again.
    expect(await runExpirySweep(host.services, { budget: 10_000 })).toMatchObject({ expired: 0, notices: 0 });
    await host.flushChangeFeed();
    expect(await noticesOf(host, set)).toHaveLength(50);
  });

  test(`a notice that keeps failing is given up after ${OUTBOX_MAX_ATTEMPTS} attempts, audited email.failed`, async () => {
    clock.set(NOW);
    const set = await seedSet(host, 'g', 5 * 7); // 7 due per partner
    await breakOutbox();
    const attempts: number[] = [];
    try {
      await runExpirySweep(host.services, { budget: 10_000 });
      await host.flushChangeFeed();
      attempts.push((await owed(set.expired[0])).attempts);
      for (let run = 1; run < OUTBOX_MAX_ATTEMPTS + 2; run++) {
        clock.advance(outboxBackoffMs(run) + OUTBOX_GRACE_MS);
        await host.runFunction('outboxRetry');
        attempts.push((await owed(set.expired[0])).attempts);
      }
    } finally {
      await repairOutbox();
    }
    expect(attempts).toEqual([1, 2, 3, 4, 5, 5, 5]);
    for (const b of set.expired)
      expect(await owed(b)).toMatchObject({ status: 'Failed', attempts: OUTBOX_MAX_ATTEMPTS });
    expect(await noticesOf(host, set)).toHaveLength(0);
    const failed = await rawDocuments(host.services.store).queryAll<{ target: { id: string } }>(
      'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t AND c.action = @a',
      [
        { name: '@p', value: set.expired[0].partnerId },
        { name: '@t', value: 'audit' },
        { name: '@a', value: 'email.failed' },
      ],
      set.expired[0].partnerId,
    );
    expect(failed.filter((e) => e.target.id === expiryNoticeKey(set.expired[0].id))).toHaveLength(1);
  });

  test('the notice state is internal: benefit responses never show it', async () => {
    const token = await host.token('f-p1-admin');
    const one = await host.call('GET', '/api/partners/f-p1/benefits/f-b0-0', { token });
    expect(one.status).toBe(200);
    expect(one.body.status).toBe('Expired');
    expect(one.body).not.toHaveProperty('expiryNotice');
    const list = await host.call('GET', '/api/partners/f-p1/benefits?status=Expired', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    for (const item of list.body.items) expect(item).not.toHaveProperty('expiryNotice');
  });
});

describe('the demo data and the registered timer', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => host?.close());

  test("runFunction('expirySweep') expires contoso's past-due Gold Core offer; its notice is in the outbox", async () => {
    const timer = host.functions.find((f) => f.name === 'expirySweep')!;
    expect(timer.trigger).toMatchObject({ type: 'timerTrigger', schedule: '%EXPIRY_SWEEP_SCHEDULE%' });
    const pastDue = host.seed!.benefits.find(
      (b) => b.offerType === 'Gold Core' && b.status === 'Active' && b.expiresAt,
    )!;
    expect(pastDue).toBeDefined();

    const result = await host.runFunction('expirySweep');
    expect(result).toMatchObject({ expired: 1, notices: 1 });
    const after = (await host.services.store.getBenefit('contoso', pastDue.id))!.value;
    expect(after.status).toBe('Expired');
    const mails = (await readOutbox(host.outboxDir)).filter((m) => m.kind === 'expiryNotice');
    expect(mails).toHaveLength(1);
    expect(mails[0].idempotencyKey).toBe(expiryNoticeKey(pastDue.id));
    // contoso has no marketing contact in the demo data: its GlobalAdmins are told.
    expect(mails[0].to.map((t) => t.address)).toEqual(['admin@contoso.example']);
    expect(mails[0].subject).toContain('Gold Core');

    // What `npm run sweep` does: POST /admin/functions/expirySweep → 202; nothing left to expire.
    const res = await fetch(`${host.url}/admin/functions/expirySweep`, {
      method: 'POST',
      headers: { 'x-functions-key': host.runtimeKey },
    });
    expect(res.status).toBe(202);
    expect((await readOutbox(host.outboxDir)).filter((m) => m.kind === 'expiryNotice')).toHaveLength(1);
  });
});
