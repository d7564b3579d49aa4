/**
 * Notices before things run out (docs/product.md §12), through the real local host with its manual clock: benefit reminders
 * at 30 and 7 days, membership reminders at 60 and 14 days (re-armed by a renewal), the last-free-seat notice once
 * per episode — each exactly once across repeated and concurrent sweeps, in the recipient's language, never for a
 * cancelled or expired benefit, never lost to a failed send; the cost of a sweep with 1 000 and 20 000 benefits and
 * the same 50 due; and the demo data swept through the registered timer.
 */
import { jest } from '@jest/globals';
import { rename, rm, writeFile } from 'node:fs/promises';
import { withBenefitNoticeSchedule } from '../../src/domain/notices';
import { LOCALES, type Benefit, type Locale, type Partner, type User } from '../../src/domain/types';
import { readOutbox, type StoredEmail } from '../../src/email/outbox';
import { MESSAGES } from '../../src/email/templates';
import { runNoticeSweep } from '../../src/app/notices';
import { OUTBOX_GRACE_MS, outboxBackoffMs } from '../../src/app/outbox';
import { ManualClock } from '../../src/local/clock';
import { expectProblem } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-05-04T06:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

const REMINDER_KINDS = ['benefitExpiryReminder', 'membershipExpiryReminder', 'lastSeatNotice'];

/** The notices (docs/product.md §12 kinds) in the outbox, optionally of one partner (by the audit-free route: its name). */
async function notices(host: TestHost, filter: (m: StoredEmail) => boolean = () => true) {
  return (await readOutbox(host.outboxDir)).filter((m) => REMINDER_KINDS.includes(m.kind) && filter(m));
}
const to = (m: StoredEmail) => m.to.map((r) => r.address).sort();

/** A partner with a GlobalAdmin `admin@<id>.example`, employees `dev1..devN@<id>.example`, written through the store. */
async function seedPartner(
  host: TestHost,
  id: string,
  options: {
    expiresAt?: string;
    level?: Partner['level'];
    managedIn?: Partner['managedIn'];
    status?: Partner['membership']['status'];
    devs?: number;
    admins?: number;
    /** A verified marketing contact writing in this language. */
    contactLanguage?: Locale;
    /** The partner's `preferredLanguage` (docs/product.md §7: for people without their own). */
    partnerLanguage?: Locale;
    /** The GlobalAdmin `admin@…`'s own `preferredLanguage`. */
    adminLanguage?: Locale;
  } = {},
): Promise<Partner> {
  const store = host.services.store;
  const user = (n: string, roles: User['roles']): User => ({
    id: `${id}-${n}`,
    partnerId: id,
    objectId: `${id}-${n}`,
    displayName: `${n} of ${id}`,
    accountEmail: `${n}@${id}.example`,
    roles,
    ...(n === 'admin' && options.adminLanguage ? { preferredLanguage: options.adminLanguage } : {}),
    createdAt: iso(-400 * DAY),
  });
  const partner: Partner = {
    id,
    name: `Partner ${id}`,
    level: options.level ?? 'Gold',
    managedIn: options.managedIn ?? 'PartnerCenter',
    membership: { status: options.status ?? 'Active', expiresAt: options.expiresAt ?? iso(365 * DAY) },
    ...(options.partnerLanguage ? { preferredLanguage: options.partnerLanguage } : {}),
    createdAt: iso(-400 * DAY),
  };
  await store.createPartner(partner, user('admin', ['GlobalAdmin']));
  for (let a = 2; a <= (options.admins ?? 1); a++) await store.createUser(user(`admin${a}`, ['GlobalAdmin']));
  await store.createUser(user('mpn', ['MpnPartnerAdmin']));
  for (let d = 1; d <= (options.devs ?? 4); d++) await store.createUser(user(`dev${d}`, []));
  if (options.contactLanguage) {
    await store.createUser(user('contact', []));
    await store.updatePartner(id, (p) => ({
      value: {
        ...p,
        marketingContact: {
          userId: `${id}-contact`,
          email: `marketing@${id}.mail.example`,
          phone: '+14255550100',
          preferredLanguage: options.contactLanguage!,
          status: 'Verified',
          updatedAt: iso(-30 * DAY),
          verifiedAt: iso(-30 * DAY),
        },
      },
    }));
  }
  return (await store.getPartner(id))!.value;
}

type Kind = 'gtm' | 'vs' | 'software';
/** An Active benefit of a partner expiring at `expiresAt`, written with its notice schedule (as the store writes). */
function benefit(
  partnerId: string,
  id: string,
  kind: Kind,
  expiresAt: string,
  extra: Partial<Benefit> = {},
): Benefit {
  const base: Benefit = {
    id,
    partnerId,
    purchaseId: `${partnerId}-purchase`,
    packageId: 'gold-competency',
    catalogItemId:
      kind === 'gtm' ? 'gtm-gold-core' : kind === 'vs' ? 'visual-studio-enterprise' : 'windows-10-enterprise',
    category: kind === 'gtm' ? 'goToMarket' : kind === 'vs' ? 'visualStudio' : 'software',
    productName:
      kind === 'gtm'
        ? 'Go-To-Market: Gold Core'
        : kind === 'vs'
          ? 'Visual Studio Enterprise subscription'
          : 'Windows 10 Enterprise',
    ...(kind === 'gtm' ? { offerType: 'Gold Core' as const } : {}),
    ...(kind === 'vs' ? { seats: 25 } : {}),
    status: 'Active',
    assignments: [],
    activatedAt: iso(-300 * DAY),
    expiresAt,
    createdAt: iso(-300 * DAY),
    ...extra,
  };
  return base;
}
const assign = (partnerId: string, id: string, userId: string, assignedAt = iso(-200 * DAY)) => ({
  id,
  userId: `${partnerId}-${userId}`,
  assignedAt,
  assignedBy: `${partnerId}-admin`,
});

async function write(host: TestHost, docs: Benefit[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 50) {
    await Promise.all(
      docs
        .slice(i, i + 50)
        .map((d) => rawDocuments(host.services.store).create('benefit', withBenefitNoticeSchedule(d))),
    );
  }
}

/** One notice sweep, then the relay's sending of what it owed (what the host does after every invocation). */
const sweep = async (host: TestHost) => {
  const result = await runNoticeSweep(host.services, { budget: 100_000 });
  await host.flushChangeFeed();
  return result;
};
const sweeps = async (host: TestHost, n: number) => {
  const results = await Promise.all(
    Array.from({ length: n }, () => runNoticeSweep(host.services, { budget: 100_000, pageSize: 7 })),
  );
  await host.flushChangeFeed();
  return results;
};

describe('notices (no demo data)', () => {
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
  beforeEach(() => clock.set(NOW));

  test('benefit reminders at 30 and 7 days, each once across repeated and concurrent sweeps, to the right people', async () => {
    const exp = iso(40 * DAY);
    await seedPartner(host, 'r1');
    await write(host, [
      benefit('r1', 'r1-vs', 'vs', exp, {
        assignments: [
          assign('r1', 'a1', 'dev1'),
          assign('r1', 'a2', 'dev2'),
          { ...assign('r1', 'a0', 'dev3'), endedAt: iso(-100 * DAY) },
        ],
      }),
      benefit('r1', 'r1-sw', 'software', exp),
      benefit('r1', 'r1-gtm', 'gtm', exp),
    ]);
    const mine = (m: StoredEmail) => m.plainText.includes('Partner r1');
    expect((await host.services.store.getBenefit('r1', 'r1-sw'))!.value.nextNoticeAt).toBe(iso(10 * DAY));

    expect((await sweep(host)).sent).toBe(0);
    clock.set(at(10 * DAY - 1));
    expect((await sweep(host)).sent).toBe(0);

    clock.set(at(10 * DAY));
    const first = await sweeps(host, 3);
    expect(first.reduce((n, r) => n + r.sent, 0)).toBe(3);
    expect((await sweep(host)).sent).toBe(0);
    let mails = await notices(host, mine);
    expect(mails).toHaveLength(3);
    const byProduct = (list: StoredEmail[], name: string) => list.filter((m) => m.subject.includes(name));
    // Seats: the active assignees (not the one whose seat ended); no seats / no contact: the GlobalAdmins.
    expect(to(byProduct(mails, 'Visual Studio')[0])).toEqual(['dev1@r1.example', 'dev2@r1.example']);
    expect(to(byProduct(mails, 'Windows 10')[0])).toEqual(['admin@r1.example']);
    expect(to(byProduct(mails, 'Gold Core')[0])).toEqual(['admin@r1.example']);
    for (const m of mails) {
      expect(m.kind).toBe('benefitExpiryReminder');
      expect(m.locale).toBe('en-US');
      expect(m.plainText).toContain(`${host.config.PUBLIC_BASE_URL}/benefits`);
    }

    clock.set(at(33 * DAY - 1));
    expect((await sweep(host)).sent).toBe(0);
    clock.set(at(33 * DAY));
    const second = await sweeps(host, 3);
    expect(second.reduce((n, r) => n + r.sent, 0)).toBe(3);
    clock.set(at(40 * DAY - HOUR));
    expect((await sweep(host)).sent).toBe(0);
    mails = await notices(host, mine);
    expect(mails).toHaveLength(6);
    expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(6);
    expect(mails.filter((m) => m.subject.includes('Visual Studio'))).toHaveLength(2);

    // One record per benefit and threshold, its email sent; one audit event each; nothing owed any more.
    const records = await rawDocuments(host.services.store).queryAll<any>(
      'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
      [
        { name: '@p', value: 'r1' },
        { name: '@t', value: 'notice' },
      ],
    );
    const sent = async (key: string) =>
      (await host.services.store.findOutboxRecord('r1', `outbox:${key}`))?.value.status;
    const states = await Promise.all(
      records.map(
        async (r) => `${r.subject.id}:${r.daysBefore}:${(await Promise.all(r.emails.map(sent))).join()}`,
      ),
    );
    expect(states.sort()).toEqual(
      [
        'r1-gtm:30:Sent',
        'r1-gtm:7:Sent',
        'r1-sw:30:Sent',
        'r1-sw:7:Sent',
        'r1-vs:30:Sent',
        'r1-vs:7:Sent',
      ].sort(),
    );
    const audits = await rawDocuments(host.services.store).queryAll<any>(
      'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t AND c.action = @a',
      [
        { name: '@p', value: 'r1' },
        { name: '@t', value: 'audit' },
        { name: '@a', value: 'notice.send' },
      ],
    );
    expect(audits).toHaveLength(6);
    expect(audits[0]).toMatchObject({ actor: { kind: 'system' }, outcome: 'Succeeded' });
    for (const id of ['r1-vs', 'r1-sw', 'r1-gtm']) {
      const b = (await host.services.store.getBenefit('r1', id))!.value;
      expect(b.nextNoticeAt).toBeUndefined();
    }
    // The notice state is internal.
    const token = await host.token('r1-admin');
    const res = await host.call('GET', '/api/partners/r1/benefits/r1-vs', { token });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('nextNoticeAt');
    expect(res.body).not.toHaveProperty('notices');
  });

  test('a sweep that finds both thresholds passed sends only the most urgent reminder', async () => {
    await seedPartner(host, 'r2');
    await write(host, [benefit('r2', 'r2-sw', 'software', iso(3 * DAY))]);
    expect((await sweep(host)).sent).toBe(1);
    clock.set(at(2 * DAY));
    expect((await sweep(host)).sent).toBe(0);
    const mails = await notices(host, (m) => m.plainText.includes('Partner r2'));
    expect(mails).toHaveLength(1);
    const record = await rawDocuments(host.services.store).queryAll<any>(
      'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
      [
        { name: '@p', value: 'r2' },
        { name: '@t', value: 'notice' },
      ],
    );
    expect(record.map((r) => r.daysBefore)).toEqual([7]);
  });

  test('membership reminders at 60 and 14 days to the GlobalAdmins with the renewal link; a renewal re-arms them', async () => {
    const exp = iso(70 * DAY);
    await seedPartner(host, 'm1', { expiresAt: exp, level: 'Silver', admins: 2 });
    await seedPartner(host, 'm1-pmc', { expiresAt: exp, managedIn: 'PMC' });
    await seedPartner(host, 'm1-susp', { expiresAt: exp, status: 'Suspended' });
    const mine = (m: StoredEmail) => m.kind === 'membershipExpiryReminder' && /Partner m1/.test(m.plainText);
    expect((await host.services.store.getPartner('m1'))!.value.nextNoticeAt).toBe(iso(10 * DAY));
    expect((await host.services.store.getPartner('m1-pmc'))!.value.nextNoticeAt).toBeUndefined();

    clock.set(at(10 * DAY - 1));
    expect((await sweep(host)).sent).toBe(0);
    clock.set(at(10 * DAY));
    expect((await sweeps(host, 3)).reduce((n, r) => n + r.sent, 0)).toBe(1);
    let mails = await notices(host, mine);
    expect(mails).toHaveLength(1);
    expect(to(mails[0])).toEqual(['admin2@m1.example', 'admin@m1.example']);
    expect(mails[0].plainText).toContain(`${host.config.PUBLIC_BASE_URL}/benefits`);
    expect(mails[0].html).toContain(`href="${host.config.PUBLIC_BASE_URL}/benefits"`);
    expect(mails[0].subject).toBe('Your membership expires soon: Partner m1');

    clock.set(at(56 * DAY));
    expect((await sweeps(host, 2)).reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(await notices(host, mine)).toHaveLength(2);

    // Renewed through the API (the window is open): the new end owes its own reminders, not the old ones.
    const renewed = await host.call('POST', '/api/partners/m1/membership/renewal', {
      token: await host.token('m1-admin'),
      body: { packageId: 'silver-competency' },
    });
    expect(renewed.status).toBe(201);
    const newEnd = Date.parse(renewed.body.membership.expiresAt);
    expect((await sweep(host)).sent).toBe(0);
    clock.set(new Date(newEnd - 60 * DAY));
    expect((await sweep(host)).sent).toBe(1);
    mails = await notices(host, mine);
    expect(mails).toHaveLength(3);
    expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(3);
    // PMC and suspended memberships get none.
    expect(await notices(host, (m) => /Partner m1-(pmc|susp)/.test(m.plainText))).toHaveLength(0);
  });

  test('last free seat: once, until seats free up again (assignments through the API)', async () => {
    await seedPartner(host, 's1', { devs: 7, admins: 2, level: 'ActionPack' });
    const admin = await host.token('s1-admin');
    const bought = await host.call('POST', '/api/partners/s1/purchases', {
      token: admin,
      body: { packageId: 'action-pack' },
    });
    expect(bought.status).toBe(201);
    const vs = bought.body.benefits.find((b: Benefit) => b.category === 'visualStudio');
    expect(vs.seats).toBe(5);
    const assignments: Record<string, string> = {};
    const give = async (dev: string) => {
      const res = await host.call('POST', `/api/partners/s1/benefits/${vs.id}/assignments`, {
        token: admin,
        body: { userId: `s1-${dev}` },
      });
      expect(res.status).toBe(201);
      assignments[dev] = res.body.id;
    };
    const take = async (dev: string) => {
      const res = await host.call(
        'DELETE',
        `/api/partners/s1/benefits/${vs.id}/assignments/${assignments[dev]}`,
        {
          token: admin,
        },
      );
      expect(res.status).toBe(204);
    };
    const seatMails = () =>
      notices(host, (m) => m.kind === 'lastSeatNotice' && m.plainText.includes('Partner s1'));

    for (const d of ['dev1', 'dev2', 'dev3']) await give(d);
    expect((await sweep(host)).sent).toBe(0); // 2 free
    await give('dev4'); // 1 free: the last free seat
    expect((await sweeps(host, 3)).reduce((n, r) => n + r.sent, 0)).toBe(1);
    let mails = await seatMails();
    expect(mails).toHaveLength(1);
    expect(to(mails[0])).toEqual(['admin2@s1.example', 'admin@s1.example']);
    expect(mails[0].plainText).toContain(
      'Only one of the 5 seats of Visual Studio Professional subscription',
    );

    await give('dev5'); // none free
    expect((await sweep(host)).sent).toBe(0);
    await take('dev5'); // 1 free again: still the same episode
    expect((await sweep(host)).sent).toBe(0);
    await take('dev4'); // 2 free: seats freed up
    expect((await sweep(host)).sent).toBe(0);
    await give('dev6'); // the last free seat again: a new notice
    expect((await sweeps(host, 2)).reduce((n, r) => n + r.sent, 0)).toBe(1);
    clock.set(at(HOUR));
    expect((await sweep(host)).sent).toBe(0);
    mails = await seatMails();
    expect(mails).toHaveLength(2);
    expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(2);
  });

  test.each(LOCALES)(
    '%s: a marketing contact and a GlobalAdmin who prefer it are written to in it',
    async (locale) => {
      const id = `l-${locale.toLowerCase()}`;
      // The partner's language is another one: a person's own language comes first.
      const other = LOCALES.find((l) => l !== locale)!;
      await seedPartner(host, id, {
        contactLanguage: locale,
        adminLanguage: locale,
        partnerLanguage: other,
        expiresAt: iso(50 * DAY),
      });
      await write(host, [benefit(id, `${id}-gtm`, 'gtm', iso(20 * DAY))]);
      await sweeps(host, 2);
      const mails = await notices(host, (m) => m.plainText.includes(`Partner ${id}`));
      expect(mails.map((m) => m.kind).sort()).toEqual(['benefitExpiryReminder', 'membershipExpiryReminder']);
      const gtm = mails.find((m) => m.kind === 'benefitExpiryReminder')!;
      expect(to(gtm)).toEqual([`marketing@${id}.mail.example`]);
      const membership = mails.find((m) => m.kind === 'membershipExpiryReminder')!;
      expect(to(membership)).toEqual([`admin@${id}.example`]);
      for (const m of mails) {
        expect(m.locale).toBe(locale);
        expect(m.html).toContain(`<html lang="${locale}">`);
      }
      const dict = MESSAGES[locale];
      expect(gtm.subject).toBe(
        dict['benefitExpiryReminder.subject'].replace('{productName}', 'Go-To-Market: Gold Core'),
      );
      expect(membership.subject).toBe(
        dict['membershipExpiryReminder.subject'].replace('{partnerName}', `Partner ${id}`),
      );
    },
  );

  test("one email per language: each GlobalAdmin in their own, else the partner's; the marketing contact's language is not the partner's", async () => {
    await seedPartner(host, 'g1', {
      admins: 3,
      adminLanguage: 'ru-RU',
      partnerLanguage: 'zh-TW',
      contactLanguage: 'zh-CN',
      expiresAt: iso(50 * DAY),
    });
    const result = await sweeps(host, 2);
    expect(result.reduce((n, r) => n + r.sent, 0)).toBe(2);
    const mails = await notices(
      host,
      (m) => m.kind === 'membershipExpiryReminder' && /Partner g1/.test(m.plainText),
    );
    expect(mails.map((m) => `${m.locale} ${to(m).join(',')}`).sort()).toEqual([
      'ru-RU admin@g1.example',
      'zh-TW admin2@g1.example,admin3@g1.example',
    ]);
    const greeting = mails.find((m) => m.locale === 'zh-TW')!.plainText.split('\n')[0];
    expect(greeting).toContain('admin2 of g1');
    expect(greeting).toContain('admin3 of g1');
    // Repeated: nothing more.
    expect((await sweep(host)).sent).toBe(0);
  });

  test("without a language of their own or the partner's, people are written to in en-US", async () => {
    await seedPartner(host, 'g2', { contactLanguage: 'ru-RU', expiresAt: iso(50 * DAY) });
    await sweep(host);
    const [mail] = await notices(
      host,
      (m) => m.kind === 'membershipExpiryReminder' && /Partner g2/.test(m.plainText),
    );
    expect(mail.locale).toBe('en-US');
  });

  test('nothing for a cancelled or an already-expired benefit (the expiry sweep sends its expiry notice instead)', async () => {
    await seedPartner(host, 'x1', { expiresAt: iso(400 * DAY) });
    await write(host, [
      benefit('x1', 'x1-cancelled', 'software', iso(5 * DAY), { status: 'Cancelled' }),
      benefit('x1', 'x1-expired', 'software', iso(5 * DAY), { status: 'Expired' }),
      benefit('x1', 'x1-past', 'software', iso(-HOUR)),
    ]);
    // A real purchase whose Visual Studio benefit is activated (expires with the membership, 20 days out), then the
    // purchase is cancelled (within 30 days, no keys revealed) before the sweep.
    await seedPartner(host, 'x2', { expiresAt: iso(20 * DAY) });
    const token = await host.token('x2-admin');
    const bought = await host.call('POST', '/api/partners/x2/purchases', {
      token,
      body: { packageId: 'gold-competency' },
    });
    const vs = bought.body.benefits.find((b: Benefit) => b.category === 'visualStudio');
    expect(
      (
        await host.call('POST', `/api/partners/x2/benefits/${vs.id}/assignments`, {
          token,
          body: { userId: 'x2-dev1' },
        })
      ).status,
    ).toBe(201);
    expect((await host.services.store.getBenefit('x2', vs.id))!.value.nextNoticeAt).toBe(iso(-10 * DAY));
    const cancelled = await host.call(
      'POST',
      `/api/partners/x2/purchases/${bought.body.purchase.id}/cancellation`,
      {
        token,
        body: { reason: 'Wrong package' },
      },
    );
    expect(cancelled.status).toBe(201);
    expect((await host.services.store.getBenefit('x2', vs.id))!.value).toMatchObject({ status: 'Cancelled' });
    expect((await host.services.store.getBenefit('x2', vs.id))!.value.nextNoticeAt).toBeUndefined();

    const result = (await host.runFunction('expirySweep')) as any;
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect((await host.services.store.getBenefit('x1', 'x1-past'))!.value.status).toBe('Expired');
    clock.set(at(DAY));
    await host.runFunction('expirySweep');
    const benefitReminders = await notices(
      host,
      (m) => m.kind === 'benefitExpiryReminder' && /Partner x[12]/.test(m.plainText),
    );
    expect(benefitReminders).toHaveLength(0);
    // The past-due one was expired by the expiry sweep (docs/product.md §8; nobody holds it, so its notice has no
    // recipient and nothing is owed).
    expect(await host.services.store.findOutboxRecord('x1', 'outbox:expiry-x1-past')).toBeUndefined();
    // x2's membership (20 days) is still reminded: 60-day threshold passed.
    expect(
      await notices(host, (m) => m.kind === 'membershipExpiryReminder' && /Partner x2/.test(m.plainText)),
    ).toHaveLength(1);
  });

  test('a failed send is not lost: the notice is owed once, its email retried by the outbox timer and sent once', async () => {
    await seedPartner(host, 'f1');
    await write(host, [benefit('f1', 'f1-sw', 'software', iso(6 * DAY))]);
    await rename(host.outboxDir, `${host.outboxDir}.ok`).catch(() => undefined);
    await writeFile(host.outboxDir, 'not a folder');
    try {
      expect((await sweep(host)).sent).toBe(1); // owed; the relay's first attempt fails
    } finally {
      await rm(host.outboxDir, { force: true });
      await rename(`${host.outboxDir}.ok`, host.outboxDir).catch(() => undefined);
    }
    const ofType = async (type: string) =>
      rawDocuments(host.services.store).queryAll<any>(
        'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
        [
          { name: '@p', value: 'f1' },
          { name: '@t', value: type },
        ],
      );
    const [record] = await ofType('notice');
    expect(record).toMatchObject({ daysBefore: 7, recipients: 1, emails: [expect.any(String)] });
    const owed = async () => (await ofType('outbox')).find((r: any) => r.idempotencyKey === record.emails[0]);
    expect(await owed()).toMatchObject({ status: 'Pending', attempts: 1 });
    // The notice is settled (owed): the schedule moved on, and a later sweep owes nothing again.
    expect((await host.services.store.getBenefit('f1', 'f1-sw'))!.value.nextNoticeAt).toBeUndefined();
    expect((await sweep(host)).sent).toBe(0);

    clock.set(at(outboxBackoffMs(1) - 1));
    await host.runFunction('outboxRetry');
    expect(await notices(host, (m) => m.plainText.includes('Partner f1'))).toHaveLength(0);
    clock.set(at(outboxBackoffMs(1) + OUTBOX_GRACE_MS));
    await Promise.all([host.runFunction('outboxRetry'), host.runFunction('outboxRetry')]);
    expect(await owed()).toMatchObject({ status: 'Sent', attempts: 1 });
    expect(await notices(host, (m) => m.plainText.includes('Partner f1'))).toHaveLength(1);
  });
});

/** The large set (the embedded server's patched queries scale linearly with the store). */
const LARGE = 20_000;

describe('sweep cost grows with what is due, not with the number of benefits', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await startTestHost({ clock: new ManualClock(NOW), seed: false });
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await host?.close();
  });

  /**
   * `total` benefits over 5 partners (2 with a marketing contact), 10 due per partner (4 Go-To-Market, 4 Visual
   * Studio with assignees, 2 software); the rest Active but not due, or not Active.
   */
  async function seedSet(prefix: string, total: number): Promise<void> {
    for (let p = 1; p <= 5; p++)
      await seedPartner(host, `${prefix}-p${p}`, p <= 2 ? { contactLanguage: 'zh-CN' } : {});
    const docs: Benefit[] = [];
    const perPartner = total / 5;
    for (let p = 1; p <= 5; p++) {
      const pid = `${prefix}-p${p}`;
      for (let k = 0; k < perPartner; k++) {
        const id = `${pid}-b${k}`;
        if (k < 10) {
          const kind: Kind = k < 4 ? 'gtm' : k < 8 ? 'vs' : 'software';
          docs.push(
            benefit(pid, id, kind, iso((10 + k) * DAY), {
              ...(kind === 'vs' ? { assignments: [assign(pid, `${id}-a`, `dev${(k % 4) + 1}`)] } : {}),
            }),
          );
        } else if (k % 3 === 0) {
          docs.push(benefit(pid, id, 'software', iso((60 + (k % 300)) * DAY)));
        } else {
          docs.push(
            benefit(pid, id, 'software', iso(20 * DAY), {
              status: k % 3 === 1 ? 'NotActivated' : 'Cancelled',
            }),
          );
        }
      }
    }
    await write(host, docs);
  }

  test(`1 000 and ${LARGE.toLocaleString('en-US')} benefits, the same 50 due: the same Cosmos requests`, async () => {
    await seedSet('small', 1_000);
    host.cosmos.resetCounts();
    const small = await runNoticeSweep(host.services, { budget: 100_000 });
    const smallCounts = host.cosmos.counts();
    expect(small).toEqual({ sent: 50, examined: 50, pages: 2 });

    await seedSet('large', LARGE);
    host.cosmos.resetCounts();
    const large = await runNoticeSweep(host.services, { budget: 100_000 });
    const largeCounts = host.cosmos.counts();
    expect(large).toEqual({ sent: 50, examined: 50, pages: 2 });

    console.log(
      `Notice sweep, Cosmos requests — 1 000 benefits: ${JSON.stringify(smallCounts)}; ${LARGE} benefits: ${JSON.stringify(largeCounts)}`,
    );
    expect(largeCounts).toEqual(smallCounts);
    // The formula (see runNoticeSweep): per due notice (one per benefit here) one read of the benefit and ONE batch
    // (record, outbox record, audit event, the benefit's schedule; it was four writes); queries: one page each of
    // benefits and partners, plus the GlobalAdmins of each partner (software reminders go to them); reads: 5
    // partners, 4 assignees × 5 partners, 2 marketing contacts' users. The relay's sending is not part of it.
    expect(smallCounts.writes).toBe(0);
    expect(smallCounts.batches).toBe(50);
    expect(smallCounts.reads).toBe(50 + 5 + 4 * 5 + 2);
    expect(smallCounts.queries).toBe(2 + 5);
  }, 600_000);
});

describe('the demo data (fabrikam) and the registered timer', () => {
  let host: TestHost;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    host = await startTestHost({ clock });
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await host?.close();
  });

  test("the sweep sends fabrikam's membership and Silver Core reminders once; its admin can renew", async () => {
    const result = (await host.runFunction('expirySweep')) as any;
    expect(result).toMatchObject({ expired: 1, notices: 1, reminders: { sent: 2 } });
    const mails = await notices(host);
    expect(mails.map((m) => `${m.kind} ${to(m).join(',')}`).sort()).toEqual([
      'benefitExpiryReminder admin@fabrikam.example',
      'membershipExpiryReminder admin@fabrikam.example',
    ]);
    expect(mails.find((m) => m.kind === 'benefitExpiryReminder')!.subject).toContain('Silver Core');
    // `npm run sweep` again: nothing new.
    const res = await fetch(`${host.url}/admin/functions/expirySweep`, {
      method: 'POST',
      headers: { 'x-functions-key': host.runtimeKey },
    });
    expect(res.status).toBe(202);
    expect(await notices(host)).toHaveLength(2);

    const admin = await host.tokenFor('admin@fabrikam.example');
    const renewed = await host.call('POST', '/api/partners/fabrikam/membership/renewal', {
      token: admin,
      body: { packageId: 'silver-competency' },
    });
    expect(renewed.status).toBe(201);
    expectProblem(
      await host.call('POST', '/api/partners/fabrikam/membership/renewal', {
        token: admin,
        body: { packageId: 'silver-competency' },
      }),
      409,
      'renewal-not-open',
    );
    await host.runFunction('expirySweep');
    expect(await notices(host)).toHaveLength(2);
  });
});
