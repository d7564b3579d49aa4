import fc from 'fast-check';
import {
  dueBenefitNotices,
  dueMembershipNotices,
  noticeRecordId,
  settleBenefitNotices,
  settleMembershipNotices,
  trackLastSeat,
  withBenefitNoticeSchedule,
  withMembershipNoticeSchedule,
} from '../../src/domain/notices';
import type { Assignment, Benefit } from '../../src/domain/types';
import { seeded } from '../support/seeds';
import { partner } from './fixtures';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function benefit(overrides: Partial<Benefit> = {}): Benefit {
  return {
    id: 'b1',
    partnerId: 'contoso',
    purchaseId: 'p1',
    packageId: 'gold-competency',
    catalogItemId: 'windows-10-enterprise',
    category: 'software',
    productName: 'Windows 10 Enterprise',
    status: 'Active',
    assignments: [],
    activatedAt: iso(-100 * DAY),
    expiresAt: iso(100 * DAY),
    createdAt: iso(-200 * DAY),
    ...overrides,
  };
}
const seat = (n: number, endedAt?: string): Assignment => ({
  id: `a${n}`,
  userId: `u${n}`,
  assignedAt: iso(n * 1000),
  assignedBy: 'admin',
  ...(endedAt ? { endedAt } : {}),
});

describe('benefit expiry reminders: 30 and 7 days before expiresAt', () => {
  test('the schedule moves 30 → 7 → none as reminders are settled', () => {
    let b = withBenefitNoticeSchedule(benefit());
    expect(b.nextNoticeAt).toBe(iso(70 * DAY));
    expect(dueBenefitNotices(b, new Date(T0 + 70 * DAY - 1))).toEqual([]);
    const due30 = dueBenefitNotices(b, new Date(T0 + 70 * DAY));
    expect(due30).toEqual([
      { kind: 'benefitExpiryReminder', daysBefore: 30, expiresAt: iso(100 * DAY), dueAt: iso(70 * DAY) },
    ]);
    b = settleBenefitNotices(b, due30);
    expect(b.nextNoticeAt).toBe(iso(93 * DAY));
    const due7 = dueBenefitNotices(b, new Date(T0 + 99 * DAY));
    expect(due7.map((n) => n.kind === 'benefitExpiryReminder' && n.daysBefore)).toEqual([7]);
    b = settleBenefitNotices(b, due7);
    expect(b.nextNoticeAt).toBeUndefined();
    expect(dueBenefitNotices(b, new Date(T0 + 99 * DAY))).toEqual([]);
  });

  test('only the most urgent passed threshold is due; nothing once it has run out', () => {
    const b = withBenefitNoticeSchedule(benefit({ expiresAt: iso(3 * DAY) }));
    expect(dueBenefitNotices(b, new Date(T0)).map((n) => (n as { daysBefore: number }).daysBefore)).toEqual([
      7,
    ]);
    expect(settleBenefitNotices(b, dueBenefitNotices(b, new Date(T0))).nextNoticeAt).toBeUndefined();
    expect(dueBenefitNotices(b, new Date(T0 + 3 * DAY))).toEqual([]);
  });

  test.each(['NotActivated', 'Pending', 'Expired', 'Cancelled', 'ActivationFailed'] as const)(
    'a %s benefit owes nothing',
    (status) => {
      const b = withBenefitNoticeSchedule(benefit({ status }));
      expect(b.nextNoticeAt).toBeUndefined();
      expect(dueBenefitNotices(b, new Date(T0 + 95 * DAY))).toEqual([]);
    },
  );

  test('a new expiresAt re-arms both reminders; settling one of an old end changes nothing', () => {
    const old = benefit({ expiresAt: iso(10 * DAY) });
    const settled = settleBenefitNotices(old, dueBenefitNotices(old, new Date(T0)));
    expect(settled.notices?.expiry).toEqual({ expiresAt: iso(10 * DAY), settledDaysBefore: 30 });
    const moved = withBenefitNoticeSchedule({ ...settled, expiresAt: iso(200 * DAY) });
    expect(moved.nextNoticeAt).toBe(iso(170 * DAY));
    expect(settleBenefitNotices(moved, dueBenefitNotices(old, new Date(T0))).nextNoticeAt).toBe(
      iso(170 * DAY),
    );
  });

  test('property: settling what is due leaves nothing due at that instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 * DAY }),
        fc.integer({ min: 0, max: 400 * DAY }),
        (exp, now) => {
          fc.pre(now < exp);
          const b = withBenefitNoticeSchedule(benefit({ expiresAt: iso(exp) }));
          const after = settleBenefitNotices(b, dueBenefitNotices(b, new Date(T0 + now)));
          expect(dueBenefitNotices(after, new Date(T0 + now))).toEqual([]);
          if (after.nextNoticeAt !== undefined)
            expect(Date.parse(after.nextNoticeAt)).toBeGreaterThan(T0 + now);
        },
      ),
      seeded(),
    );
  });
});

describe('last free seat: once until seats free up again', () => {
  const vs = (assignments: Assignment[], prev?: Benefit) =>
    withBenefitNoticeSchedule({
      ...benefit({ category: 'visualStudio', seats: 5, expiresAt: iso(300 * DAY) }),
      ...(prev?.notices ? { notices: prev.notices } : {}),
      assignments,
    });

  test('episodes open at one free seat and close at two', () => {
    let b = vs([seat(1), seat(2), seat(3)]);
    expect(b.notices?.lastSeat).toBeUndefined();
    b = vs([seat(1), seat(2), seat(3), seat(4)], b);
    expect(b.notices?.lastSeat).toEqual({ episode: 1, reachedAt: iso(4000), open: true, settled: false });
    expect(b.nextNoticeAt).toBe(iso(4000));
    const due = dueBenefitNotices(b, new Date(T0 + DAY)).filter((n) => n.kind === 'lastSeatNotice');
    expect(due).toEqual([{ kind: 'lastSeatNotice', episode: 1, dueAt: iso(4000) }]);
    b = settleBenefitNotices(b, due);
    expect(b.nextNoticeAt).toBe(iso(270 * DAY));
    b = vs([seat(1), seat(2), seat(3), seat(4), seat(5)], b); // none free: same episode
    b = vs([seat(1), seat(2), seat(3), seat(4), seat(5, iso(DAY))], b); // one free: same episode
    expect(b.notices?.lastSeat).toMatchObject({ episode: 1, open: true, settled: true });
    b = vs([seat(1), seat(2), seat(3), seat(4, iso(DAY)), seat(5, iso(DAY))], b); // two free: closed
    expect(b.notices?.lastSeat).toMatchObject({ episode: 1, open: false });
    b = vs([seat(1), seat(2), seat(3), seat(4, iso(DAY)), seat(5, iso(DAY)), seat(6)], b);
    expect(b.notices?.lastSeat).toMatchObject({ episode: 2, open: true, settled: false });
  });

  test('a closed episode whose notice was never sent is not owed any more', () => {
    let b = vs([seat(1), seat(2), seat(3), seat(4)]);
    b = vs([seat(1), seat(2), seat(3, iso(DAY)), seat(4)], b);
    expect(dueBenefitNotices(b, new Date(T0 + 2 * DAY)).filter((n) => n.kind === 'lastSeatNotice')).toEqual(
      [],
    );
  });

  test('benefits with one seat, and cancelled ones, track nothing', () => {
    const azure = benefit({ category: 'cloud', cloudKind: 'usageBased', seats: 1, assignments: [seat(1)] });
    expect(trackLastSeat(azure)).toBeUndefined();
    const cancelled = benefit({
      category: 'visualStudio',
      seats: 2,
      status: 'Cancelled',
      assignments: [seat(1)],
    });
    expect(trackLastSeat(cancelled)).toBeUndefined();
  });
});

describe('membership reminders: 60 and 14 days before the end', () => {
  const p = (overrides = {}) =>
    withMembershipNoticeSchedule(
      partner({ membership: { status: 'Active', expiresAt: iso(100 * DAY) }, ...overrides }),
    );

  test('60 → 14 → none; a renewal re-arms both', () => {
    let x = p();
    expect(x.nextNoticeAt).toBe(iso(40 * DAY));
    x = settleMembershipNotices(x, dueMembershipNotices(x, new Date(T0 + 40 * DAY)));
    expect(x.nextNoticeAt).toBe(iso(86 * DAY));
    x = settleMembershipNotices(x, dueMembershipNotices(x, new Date(T0 + 90 * DAY)));
    expect(x.nextNoticeAt).toBeUndefined();
    const renewed = withMembershipNoticeSchedule({
      ...x,
      membership: { status: 'Active', expiresAt: iso(465 * DAY) },
    });
    expect(renewed.nextNoticeAt).toBe(iso(405 * DAY));
  });

  test('PMC, suspended and expired memberships owe none', () => {
    expect(p({ managedIn: 'PMC' }).nextNoticeAt).toBeUndefined();
    expect(
      withMembershipNoticeSchedule(partner({ membership: { status: 'Suspended', expiresAt: iso(10 * DAY) } }))
        .nextNoticeAt,
    ).toBeUndefined();
    expect(
      dueMembershipNotices(
        partner({ membership: { status: 'Expired', expiresAt: iso(10 * DAY) } }),
        new Date(T0),
      ),
    ).toEqual([]);
  });
});

test('record ids: one per subject and threshold of one end date, one per last-seat episode', () => {
  const r = (d: number, exp = iso(DAY)) =>
    noticeRecordId('b1', { kind: 'benefitExpiryReminder', daysBefore: d, expiresAt: exp, dueAt: exp });
  expect(new Set([r(30), r(7), r(30, iso(2 * DAY))]).size).toBe(3);
  expect(r(30)).toBe(r(30, new Date(T0 + DAY).toISOString().replace('.000Z', 'Z')));
  expect(noticeRecordId('b1', { kind: 'lastSeatNotice', episode: 2, dueAt: iso(0) })).toBe(
    'notice:last-seat:b1:2',
  );
});
