/**
 * Notices before things run out (docs/product.md §12), as pure rules: which notices a benefit or a membership owes, when the
 * next one is due (`nextNoticeAt`, the indexed field the expiry timer queries), and how settling one moves the
 * schedule on.
 *
 * - Benefit expiry: 30 and 7 days before an `Active` benefit's `expiresAt`.
 * - Membership expiry: 60 and 14 days before the membership's `expiresAt` (Partner Center memberships that are
 *   `Active`; a PMC membership is managed elsewhere).
 * - Last free seat: when a seat-limited benefit (more than one seat) reaches its last free seat; once per episode,
 *   an episode ending when two or more seats are free again ("once until seats free up again").
 *
 * When a sweep finds several thresholds of one end date passed (it ran late, or the benefit was activated close to
 * its end), it sends only the most urgent one and settles the earlier ones with it: one reminder, not a burst.
 * Every notice is identified by {@link noticeRecordId}; the sweep creates that record conditionally, so each
 * notice is sent once even under concurrent sweeps.
 */
import { DateTime } from 'luxon';
import type { Benefit, ExpiryReminderState, LastSeatState, Partner } from './types';

/** Days before a benefit's `expiresAt` at which its reminders are due (docs/product.md §12), largest first. */
const BENEFIT_REMINDER_DAYS: readonly number[] = Object.freeze([30, 7]);
/** Days before the membership's `expiresAt` at which its reminders are due (docs/product.md §12), largest first. */
const MEMBERSHIP_REMINDER_DAYS: readonly number[] = Object.freeze([60, 14]);

/** A notice owed now. Instants are ISO 8601 UTC. */
export type DueNotice =
  | { kind: 'benefitExpiryReminder'; daysBefore: number; expiresAt: string; dueAt: string }
  | { kind: 'lastSeatNotice'; episode: number; dueAt: string }
  | { kind: 'membershipExpiryReminder'; daysBefore: number; expiresAt: string; dueAt: string };

/**
 * The id of a notice's record (a document in the partner's partition, created once): one per benefit and threshold
 * of one `expiresAt`, per benefit and last-seat episode, per partner and threshold of one membership end. A
 * renewal (a new membership end) therefore owes new reminders.
 * @param subjectId the benefit id, or the partner id for a membership reminder.
 */
export function noticeRecordId(subjectId: string, notice: DueNotice): string {
  switch (notice.kind) {
    case 'benefitExpiryReminder':
      return `notice:benefit-expiry:${subjectId}:${Date.parse(notice.expiresAt)}:${notice.daysBefore}`;
    case 'membershipExpiryReminder':
      return `notice:membership-expiry:${subjectId}:${Date.parse(notice.expiresAt)}:${notice.daysBefore}`;
    case 'lastSeatNotice':
      return `notice:last-seat:${subjectId}:${notice.episode}`;
  }
}

// ---- reminders of one end date ------------------------------------------------------------------------------

/** The thresholds of `days` not yet settled for `expiresAt`, largest first. */
function openThresholds(expiresAt: string, days: readonly number[], state?: ExpiryReminderState): number[] {
  if (!state || Date.parse(state.expiresAt) !== Date.parse(expiresAt)) return [...days];
  return days.filter((d) => d < state.settledDaysBefore);
}

/** `expiresAt` minus `days` days (ISO 8601 UTC), or undefined when `expiresAt` is not a valid instant. */
function before(expiresAt: string, days: number): string | undefined {
  const end = DateTime.fromISO(expiresAt, { zone: 'utc' });
  return end.isValid ? end.minus({ days }).toISO()! : undefined;
}

/** When the next unsettled reminder of `expiresAt` is due; undefined when none is left. */
function nextReminderAt(
  expiresAt: string,
  days: readonly number[],
  state?: ExpiryReminderState,
): string | undefined {
  const [next] = openThresholds(expiresAt, days, state);
  return next === undefined ? undefined : before(expiresAt, next);
}

/**
 * The reminder of `expiresAt` due at `now`: the most urgent unsettled threshold already passed, as long as `now` is
 * before `expiresAt` (what has run out is the expiry sweep's, docs/product.md §8). Undefined when none is due.
 */
function dueReminder(
  expiresAt: string,
  days: readonly number[],
  state: ExpiryReminderState | undefined,
  now: Date,
): { daysBefore: number; dueAt: string } | undefined {
  const end = Date.parse(expiresAt);
  if (!Number.isFinite(end) || end <= now.getTime()) return undefined;
  let due: { daysBefore: number; dueAt: string } | undefined;
  for (const d of openThresholds(expiresAt, days, state)) {
    const at = before(expiresAt, d)!;
    if (Date.parse(at) <= now.getTime()) due = { daysBefore: d, dueAt: at };
  }
  return due;
}

/** The reminder state once the `daysBefore` reminder of `expiresAt` was settled (and every earlier one with it). */
function settleReminder(
  state: ExpiryReminderState | undefined,
  expiresAt: string,
  daysBefore: number,
): ExpiryReminderState {
  const same = state !== undefined && Date.parse(state.expiresAt) === Date.parse(expiresAt);
  return {
    expiresAt,
    settledDaysBefore: same ? Math.min(state.settledDaysBefore, daysBefore) : daysBefore,
  };
}

// ---- benefits ------------------------------------------------------------------------------------------------

/** A seat-limited benefit: more than one seat (Visual Studio subscriptions; docs/product.md §12 "last free seat"). */
function isSeatLimited(benefit: Pick<Benefit, 'seats'>): boolean {
  return (benefit.seats ?? 0) > 1;
}

/**
 * The last-free-seat episode after a change of the benefit's assignments (docs/product.md §12): opens a new episode (owing one
 * notice) when at most one seat is free and none is open; closes the open one when two or more seats are free
 * again (an unsent notice of a closed episode is not sent). A cancelled or expired benefit opens none.
 */
export function trackLastSeat(benefit: Benefit): LastSeatState | undefined {
  const previous = benefit.notices?.lastSeat;
  if (!isSeatLimited(benefit) || benefit.status === 'Cancelled' || benefit.status === 'Expired')
    return previous;
  const active = benefit.assignments.filter((a) => a.endedAt === undefined);
  const free = benefit.seats! - active.length;
  if (free <= 1 && !previous?.open) {
    const reachedAt = active.reduce<string>(
      (latest, a) => (Date.parse(a.assignedAt) > Date.parse(latest) ? a.assignedAt : latest),
      benefit.createdAt,
    );
    return { episode: (previous?.episode ?? 0) + 1, reachedAt, open: true, settled: false };
  }
  if (free >= 2 && previous?.open) return { ...previous, open: false };
  return previous;
}

/**
 * The benefit with its notice schedule brought up to date (no mutation): the last-seat episode tracked
 * ({@link trackLastSeat}) and `nextNoticeAt` = the earliest notice still owed — the next unsettled reminder
 * threshold of an `Active` benefit's `expiresAt` (30, then 7 days before) or an open, unsent last-seat episode —
 * or absent when nothing is owed (not `Active`: `NotActivated`, `Pending`, `Expired`, `Cancelled`, …).
 * The store applies it on every benefit write, so the field follows every change of `expiresAt`, status or seats.
 */
export function withBenefitNoticeSchedule(benefit: Benefit): Benefit {
  const lastSeat = trackLastSeat(benefit);
  const notices = compact({ ...benefit.notices, lastSeat });
  const due: string[] = [];
  if (benefit.status === 'Active') {
    if (benefit.expiresAt !== undefined) {
      const at = nextReminderAt(benefit.expiresAt, BENEFIT_REMINDER_DAYS, notices?.expiry);
      if (at !== undefined) due.push(at);
    }
    if (lastSeat?.open && !lastSeat.settled) due.push(lastSeat.reachedAt);
  }
  const { nextNoticeAt: _old, notices: _n, ...rest } = benefit;
  const next = earliest(due);
  return { ...rest, ...(notices ? { notices } : {}), ...(next ? { nextNoticeAt: next } : {}) };
}

/**
 * The notices a benefit owes at `now` (docs/product.md §12), at most one reminder and one last-seat notice; none unless the
 * benefit is `Active` (a cancelled or expired benefit is told nothing more).
 */
export function dueBenefitNotices(benefit: Benefit, now: Date): DueNotice[] {
  if (benefit.status !== 'Active') return [];
  const out: DueNotice[] = [];
  if (benefit.expiresAt !== undefined) {
    const r = dueReminder(benefit.expiresAt, BENEFIT_REMINDER_DAYS, benefit.notices?.expiry, now);
    if (r) out.push({ kind: 'benefitExpiryReminder', expiresAt: benefit.expiresAt, ...r });
  }
  const seat = benefit.notices?.lastSeat;
  if (isSeatLimited(benefit) && seat?.open && !seat.settled && Date.parse(seat.reachedAt) <= now.getTime()) {
    out.push({ kind: 'lastSeatNotice', episode: seat.episode, dueAt: seat.reachedAt });
  }
  return out;
}

/**
 * The benefit once `settled` notices were sent or given up (no mutation): reminders of its current `expiresAt` and
 * the current last-seat episode are marked, the schedule recomputed ({@link withBenefitNoticeSchedule}). Notices
 * about an older `expiresAt` or episode change nothing.
 */
export function settleBenefitNotices(benefit: Benefit, settled: readonly DueNotice[]): Benefit {
  let notices = { ...benefit.notices };
  for (const n of settled) {
    if (n.kind === 'benefitExpiryReminder' && benefit.expiresAt !== undefined) {
      if (Date.parse(n.expiresAt) === Date.parse(benefit.expiresAt))
        notices = { ...notices, expiry: settleReminder(notices.expiry, benefit.expiresAt, n.daysBefore) };
    } else if (n.kind === 'lastSeatNotice' && notices.lastSeat?.episode === n.episode) {
      notices = { ...notices, lastSeat: { ...notices.lastSeat, settled: true } };
    }
  }
  return withBenefitNoticeSchedule({ ...benefit, notices });
}

// ---- memberships ---------------------------------------------------------------------------------------------

/** True when membership notices apply: a Partner Center membership that is `Active` (docs/product.md §12). */
function membershipNotified(partner: Pick<Partner, 'managedIn' | 'membership'>): boolean {
  return partner.managedIn === 'PartnerCenter' && partner.membership.status === 'Active';
}

/**
 * The partner with `nextNoticeAt` = when its next membership reminder is due (60, then 14 days before
 * `membership.expiresAt`), or without it when none is owed (no mutation). The store applies it on every partner
 * write, so it follows every change of the membership (a renewal re-arms both reminders).
 */
export function withMembershipNoticeSchedule(partner: Partner): Partner {
  const { nextNoticeAt: _old, ...rest } = partner;
  if (!membershipNotified(partner)) return rest;
  const next = nextReminderAt(
    partner.membership.expiresAt,
    MEMBERSHIP_REMINDER_DAYS,
    partner.notices?.membershipExpiry,
  );
  return next === undefined ? rest : { ...rest, nextNoticeAt: normalize(next) };
}

/** The membership reminder a partner owes at `now` (docs/product.md §12), if any. */
export function dueMembershipNotices(partner: Partner, now: Date): DueNotice[] {
  if (!membershipNotified(partner)) return [];
  const { expiresAt } = partner.membership;
  const r = dueReminder(expiresAt, MEMBERSHIP_REMINDER_DAYS, partner.notices?.membershipExpiry, now);
  return r ? [{ kind: 'membershipExpiryReminder', expiresAt, ...r }] : [];
}

/** The partner once `settled` membership reminders were sent or given up (no mutation); schedule recomputed. */
export function settleMembershipNotices(partner: Partner, settled: readonly DueNotice[]): Partner {
  let state = partner.notices?.membershipExpiry;
  for (const n of settled) {
    if (
      n.kind === 'membershipExpiryReminder' &&
      Date.parse(n.expiresAt) === Date.parse(partner.membership.expiresAt)
    )
      state = settleReminder(state, partner.membership.expiresAt, n.daysBefore);
  }
  const notices = state ? { ...partner.notices, membershipExpiry: state } : partner.notices;
  return withMembershipNoticeSchedule({ ...partner, ...(notices ? { notices } : {}) });
}

// ---- helpers -------------------------------------------------------------------------------------------------

/** The earliest of ISO instants, normalized to `Date#toISOString` (so stored values compare as strings). */
function earliest(instants: string[]): string | undefined {
  const ms = instants.map(Date.parse).filter(Number.isFinite);
  return ms.length === 0 ? undefined : new Date(Math.min(...ms)).toISOString();
}

function normalize(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

/** The object without undefined members, or undefined when none is left. */
function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}
