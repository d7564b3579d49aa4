/**
 * Notices before things run out (docs/product.md §12), sent by the expiry timer right after the expiry sweep (docs/product.md §8):
 * benefit reminders 30 and 7 days before `expiresAt`, membership reminders 60 and 14 days before the membership's
 * end (with the portal's renewal link), and the last-free-seat notice of a seat-limited benefit.
 *
 * What is due is found by two queries on one indexed field, `nextNoticeAt <= now` (benefits, partners), which the
 * store keeps on every write (`src/domain/notices.ts`); so a run's cost grows with what is due, not with the number
 * of benefits. For each due notice the run:
 * 1. creates the notice's record (`notice:<kind>:<subject>:<…>`, in the partner's partition) — a conditional
 *    create: of two sweeps at once only one gets it; a record left `Pending` by a failed send or a crash is claimed
 *    again (conditional replace) after a lease of {@link NOTICE_RETRY_AFTER_MS}, up to {@link NOTICE_MAX_ATTEMPTS};
 * 2. sends it through the app's email port — one email per language among its recipients (each person in their
 *    own language), each with an idempotency key ({@link noticeEmailKey}) so a resend is delivered once — and
 *    records the outcome (`Sent`, `Pending` for a retry, `Failed`) and one audit event `notice.send` as `system`;
 * 3. once the record is settled (sent, given up, or already settled by another run), moves the subject's schedule
 *    on (conditional write: the benefit or partner with the notice marked settled and its next `nextNoticeAt`).
 * So every notice is sent once, across repeated and concurrent runs, and none is lost.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { renewalWindow } from '../domain/membership';
import {
  dueBenefitNotices,
  dueMembershipNotices,
  noticeRecordId,
  settleBenefitNotices,
  settleMembershipNotices,
  type DueNotice,
} from '../domain/notices';
import type { Benefit, Locale, Partner, PartnerLevel, User } from '../domain/types';
import type { EmailKind, EmailRecipient } from './ports';
import type { EmailTemplateData } from './ports';
import type { AppDeps as Services } from './ports';
import { audit } from './audit';
import { runExpirySweep, forEachLimited, Lookups, type ExpirySweepResult } from './expirySweep';
import { recipientLocale } from '../domain/recipientLocale';
import { notify } from './notify';

/**
 * The portal page the notices link to, under `PUBLIC_BASE_URL` (decision: the Benefits page, which shows the
 * membership card with **Renew** and the upcoming expiries; docs/product.md §11, §12).
 */
const PORTAL_BENEFITS_PATH = '/benefits';

/** How long a `Pending` notice record is left to the run that claimed it before another run retries it. 10 min. */
export const NOTICE_RETRY_AFTER_MS = 10 * 60_000;

/** Send attempts after which a notice is given up (`Failed`; each failure is audited `email.failed`). */
const NOTICE_MAX_ATTEMPTS = 5;

/** A notice's record: one per notice, ever (see the module comment). Internal; never in responses. */
export interface NoticeRecord {
  /** {@link noticeRecordId}. */
  id: string;
  partnerId: string;
  kind: DueNotice['kind'];
  /** The benefit or partner the notice is about. */
  subject: { type: 'benefit' | 'partner'; id: string };
  /** When the notice became due (ISO 8601). */
  dueAt: string;
  /** Reminders: days before the end date. */
  daysBefore?: number;
  /** Last-seat notices: the episode. */
  episode?: number;
  status: 'Pending' | 'Sent' | 'Failed';
  /** Send attempts so far. */
  attempts: number;
  /** Recipients of the last attempt. */
  recipients?: number;
  createdAt: string;
  /** Last change (ISO 8601); a run claims a retry by moving it to its own "now". */
  updatedAt: string;
}

/**
 * The email idempotency key of one email of a notice (≤ 100 chars of `[A-Za-z0-9-]`): `part` is the notice's
 * record id and the language of the email (`<record id>|<locale>`), so each email of a notice is delivered once.
 */
function noticeEmailKey(part: string): string {
  return `notice-${createHash('sha256').update(part, 'utf8').digest('hex').slice(0, 40)}`;
}

/** Options of {@link runNoticeSweep}. */
export interface NoticeSweepOptions {
  /** Most benefits and partners one run examines (default `EXPIRY_SWEEP_BUDGET`, default 1000). */
  budget?: number;
  /** Items per query page, 1–1000 (default 100). */
  pageSize?: number;
  /** How many items of a page are handled at once (default 8). */
  concurrency?: number;
  /** Warnings: an item that failed, a notice that could not be sent. */
  log?: (message: string) => void;
}

/** What one run did. */
export interface NoticeSweepResult {
  /** Emails of notices this run handed to the email provider (one per notice and language of its recipients). */
  sent: number;
  /** Benefits and partners examined (listed as due). */
  examined: number;
  /** Query pages read (benefits and partners). */
  pages: number;
}

/**
 * Runs one notice sweep at `services.clock.now()` (docs/product.md §12); see the module comment.
 * Round trips per due notice (embedded server, counted by test/http/notices.test.ts): one read of the subject, one
 * record create, one record replace, one audit write, one write of the subject's schedule; plus query pages and
 * the recipients' look-ups, cached per run (partner read, GlobalAdmin query, user reads) — none of it depends on
 * the number of benefits that are not due.
 * @returns counts of this run; never throws for one item's failure (logged; the next run retries it).
 * @throws the store's error when a query page cannot be read (the next run starts afresh).
 */
export async function runNoticeSweep(
  services: Services,
  options: NoticeSweepOptions = {},
): Promise<NoticeSweepResult> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const budget = Math.max(0, Math.floor(options.budget ?? services.config.EXPIRY_SWEEP_BUDGET));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 100)));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const log = options.log ?? (() => undefined);
  const run: Run = { services, now, lookups: new Lookups(services), log, sent: 0 };
  const result: NoticeSweepResult = { sent: 0, examined: 0, pages: 0 };

  const sweep = async <T extends { id: string }>(
    list: (page: { pageSize: number; continuationToken?: string }) => Promise<{
      items: T[];
      continuationToken: string | null;
    }>,
    handle: (item: T) => Promise<void>,
    what: (item: T) => string,
  ) => {
    let continuationToken: string | undefined;
    while (result.examined < budget) {
      const page = await list({ pageSize: Math.min(pageSize, budget - result.examined), continuationToken });
      result.pages++;
      result.examined += page.items.length;
      await forEachLimited(page.items, concurrency, async (item) => {
        try {
          await handle(item);
        } catch (e) {
          log(`Notices of ${what(item)} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
      if (!page.continuationToken) break;
      continuationToken = page.continuationToken;
    }
  };

  await sweep(
    (page) => services.store.listBenefitsDueForNotice(nowIso, page),
    (b) => benefitNotices(run, b),
    (b) => `benefit ${b.id} (${b.partnerId})`,
  );
  await sweep(
    (page) => services.store.listPartnersDueForNotice(nowIso, page),
    (p) => membershipNotices(run, p),
    (p) => `partner ${p.id}`,
  );
  result.sent = run.sent;
  return result;
}

/**
 * The expiry timer's use case (`functions/expiry.ts`, schedule `%EXPIRY_SWEEP_SCHEDULE%`; `npm run sweep` runs it
 * through the local host): the expiry sweep (docs/product.md §8), then the notice sweep (docs/product.md §12).
 * Returns both counts.
 * @throws whatever a sweep throws (the Functions host logs the failed run; the next run starts afresh).
 */
export async function expireBenefitsAndSendNotices(
  services: Services,
  options: { log?: (message: string) => void } = {},
): Promise<ExpirySweepResult & { reminders: NoticeSweepResult }> {
  const expiry = await runExpirySweep(services, options);
  const reminders = await runNoticeSweep(services, options);
  return { ...expiry, reminders };
}

// ---- one subject ---------------------------------------------------------------------------------------------

interface Run {
  services: Services;
  now: Date;
  lookups: Lookups;
  log: (message: string) => void;
  sent: number;
}

/** The due notices of one benefit, then its schedule moved on. */
async function benefitNotices(run: Run, listed: Benefit): Promise<void> {
  const { store } = run.services;
  const fresh = await store.getBenefit(listed.partnerId, listed.id);
  if (!fresh) return;
  const settled: DueNotice[] = [];
  for (const notice of dueBenefitNotices(fresh.value, run.now)) {
    const done = await deliver(
      run,
      fresh.value.partnerId,
      { type: 'benefit', id: fresh.value.id },
      notice,
      () => benefitEmail(run, fresh.value, notice),
    );
    if (done) settled.push(notice);
  }
  const next = settleBenefitNotices(fresh.value, settled);
  if (sameSchedule(fresh.value, next)) return;
  try {
    await store.replaceBenefit(next, fresh.etag);
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'precondition-failed')) throw e;
    await store.updateBenefitIfChanged(listed.partnerId, listed.id, (b) => {
      const again = settleBenefitNotices(b, settled);
      return sameSchedule(b, again) ? undefined : { value: again };
    });
  }
}

/** The due membership reminder of one partner, then its schedule moved on. */
async function membershipNotices(run: Run, listed: Partner): Promise<void> {
  const { store } = run.services;
  const fresh = await store.getPartner(listed.id);
  if (!fresh) return;
  const settled: DueNotice[] = [];
  for (const notice of dueMembershipNotices(fresh.value, run.now)) {
    const done = await deliver(run, fresh.value.id, { type: 'partner', id: fresh.value.id }, notice, () =>
      membershipEmail(run, fresh.value, notice),
    );
    if (done) settled.push(notice);
  }
  const next = settleMembershipNotices(fresh.value, settled);
  if (sameSchedule(fresh.value, next)) return;
  try {
    await store.replacePartner(next, fresh.etag);
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'precondition-failed')) throw e;
    await store.updatePartner(listed.id, (p) => ({ value: settleMembershipNotices(p, settled) }));
  }
}

/** True when the notice schedule (`nextNoticeAt`, `notices`) of the two versions is the same. */
function sameSchedule(a: Benefit | Partner, b: Benefit | Partner): boolean {
  return (
    a.nextNoticeAt === b.nextNoticeAt &&
    JSON.stringify(a.notices ?? null) === JSON.stringify(b.notices ?? null)
  );
}

// ---- one notice ----------------------------------------------------------------------------------------------

/**
 * A composed notice: which message, and one email per language among its recipients (docs/product.md §7: each
 * person in their own language), each with its recipients and the name it greets; no group when nobody is told.
 */
interface NoticeEmail<K extends EmailKind = EmailKind> {
  kind: K;
  groups: Array<{ to: EmailRecipient[]; locale: Locale | undefined; recipientName: string }>;
  /** The template data for a group greeting `recipientName`. */
  data: (recipientName: string) => EmailTemplateData[K];
}

/**
 * Sends one notice once (see the module comment): claims its record, sends, records the outcome.
 * @returns true when the notice is settled (sent, given up, nobody to tell, or settled by another run), false
 *   when it is still owed (this send failed, or another run holds it).
 */
async function deliver(
  run: Run,
  partnerId: string,
  subject: NoticeRecord['subject'],
  notice: DueNotice,
  compose: () => Promise<NoticeEmail>,
): Promise<boolean> {
  const { services, now } = run;
  const nowIso = now.toISOString();
  const id = noticeRecordId(subject.id, notice);
  const claim = await claimRecord(services, {
    id,
    partnerId,
    kind: notice.kind,
    subject,
    dueAt: notice.dueAt,
    ...('daysBefore' in notice ? { daysBefore: notice.daysBefore } : { episode: notice.episode }),
    status: 'Pending',
    attempts: 0,
    createdAt: nowIso,
    updatedAt: nowIso,
  });
  if (claim.state !== 'claimed') return claim.state === 'settled';

  const email = await compose();
  const recipients = email.groups.reduce((n, g) => n + g.to.length, 0);
  let sent = recipients > 0;
  for (const group of email.groups) {
    // A retry resends every group; the provider delivers a key once, so a group already sent is not sent again.
    const ok = await notify(services, {
      kind: email.kind,
      locale: group.locale,
      data: email.data(group.recipientName),
      to: group.to,
      idempotencyKey: noticeEmailKey(`${id}|${group.locale ?? ''}`),
      partnerId,
      log: run.log,
    });
    if (ok) run.sent++;
    sent &&= ok;
  }
  const attempts = claim.record.attempts + 1;
  const status: NoticeRecord['status'] =
    sent || recipients === 0 ? 'Sent' : attempts >= NOTICE_MAX_ATTEMPTS ? 'Failed' : 'Pending';
  const settled: NoticeRecord = {
    ...claim.record,
    status,
    attempts,
    recipients,
    updatedAt: nowIso,
  };
  try {
    await services.store.replaceNoticeRecord(settled, claim.etag);
  } catch (e) {
    // Only another run that claimed it after the lease can have changed it: that run records the outcome.
    if (!(e instanceof DomainError && e.code === 'precondition-failed')) throw e;
    return false;
  }
  if (status === 'Pending') return false;
  await audit(services, {
    partnerId,
    caller: 'system',
    action: 'notice.send',
    target: subject,
    outcome: sent || recipients === 0 ? 'Succeeded' : 'Rejected',
    detail: {
      kind: notice.kind,
      ...('daysBefore' in notice ? { daysBefore: notice.daysBefore } : { episode: notice.episode }),
      recipients,
      emails: email.groups.length,
      sent,
      attempts,
    },
  });
  if (status === 'Failed') run.log(`Notice ${id} given up after ${attempts} attempts.`);
  return true;
}

/**
 * Claims a notice's record: creates it (conditional create), or takes over a `Pending` one whose lease ran out
 * (conditional replace). `settled` when it is `Sent` or `Failed` already; `busy` when another run holds it.
 */
async function claimRecord(
  services: Services,
  record: NoticeRecord,
): Promise<
  { state: 'claimed'; record: NoticeRecord; etag: string } | { state: 'settled' } | { state: 'busy' }
> {
  const store = services.store;
  try {
    const etag = await store.createNoticeRecord(record);
    return { state: 'claimed', record, etag };
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'conflict')) throw e;
  }
  const existing = await store.findNoticeRecord<NoticeRecord>(record.partnerId, record.id);
  if (!existing) return { state: 'busy' };
  if (existing.value.status !== 'Pending') return { state: 'settled' };
  if (Date.parse(existing.value.updatedAt) > Date.parse(record.updatedAt) - NOTICE_RETRY_AFTER_MS)
    return { state: 'busy' };
  try {
    const value = { ...existing.value, updatedAt: record.updatedAt };
    const etag = await store.replaceNoticeRecord(value, existing.etag);
    return { state: 'claimed', record: value, etag };
  } catch (e) {
    if (e instanceof DomainError && e.code === 'precondition-failed') return { state: 'busy' };
    throw e;
  }
}

// ---- who is told, in which language ----------------------------------------------------------------------------

/** Benefits whose users hold seats: their reminders go to the assignees (docs/product.md §12). */
function hasSeats(benefit: Benefit): boolean {
  return (
    benefit.category === 'visualStudio' ||
    benefit.category === 'technical' ||
    (benefit.category === 'cloud' && benefit.cloudKind === 'usageBased')
  );
}

const LEVEL_NAMES: Record<PartnerLevel, string> = {
  ActionPack: 'Action Pack',
  Silver: 'Silver',
  Gold: 'Gold',
};

function portalUrl(services: Services): string {
  return `${services.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${PORTAL_BENEFITS_PATH}`;
}

/**
 * The users grouped by the language of their emails (docs/product.md §7: their own `preferredLanguage`, else the
 * partner's, else en-US), in first-seen order; each group greets its people by name (up to three, else the
 * partner).
 */
function byLanguage(
  users: User[],
  partner: Partner | undefined,
  fallbackName: string,
): NoticeEmail['groups'] {
  const groups = new Map<string, User[]>();
  for (const u of users) {
    const locale = partner ? recipientLocale(u, partner) : u.preferredLanguage;
    const key = locale ?? '';
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return [...groups].map(([locale, members]) => ({
    to: members.map(recipientOf),
    locale: (locale || undefined) as Locale | undefined,
    recipientName: namesOf(members, fallbackName),
  }));
}

/**
 * A benefit's notice (docs/product.md §12). Reminders: the marketing contact for a Go-To-Market offer (in its own
 * language; the GlobalAdmins when there is none, as for the expiry notice), the active assignees for a benefit
 * with seats, the GlobalAdmins otherwise or when no seat is held. Last free seat: the GlobalAdmins.
 */
async function benefitEmail(run: Run, benefit: Benefit, notice: DueNotice): Promise<NoticeEmail> {
  const partner = await run.lookups.partner(benefit.partnerId);
  const partnerName = partner?.name ?? benefit.partnerId;
  const benefitsUrl = portalUrl(run.services);
  if (notice.kind === 'lastSeatNotice') {
    const admins = await run.lookups.globalAdmins(benefit.partnerId);
    const held = benefit.assignments.filter((a) => a.endedAt === undefined).length;
    return {
      kind: 'lastSeatNotice',
      groups: byLanguage(admins, partner, partnerName),
      data: (recipientName) => ({
        recipientName,
        partnerName,
        productName: benefit.productName,
        seats: benefit.seats ?? 0,
        seatsFree: Math.max(0, (benefit.seats ?? 0) - held),
        benefitsUrl,
      }),
    };
  }
  const reminder = (groups: NoticeEmail['groups']): NoticeEmail => ({
    kind: 'benefitExpiryReminder',
    groups,
    data: (recipientName) => ({
      recipientName,
      partnerName,
      productName: benefit.productName,
      expiresAt: benefit.expiresAt!,
      benefitsUrl,
    }),
  });
  if (benefit.category === 'goToMarket' && partner?.marketingContact) {
    const contact = partner.marketingContact;
    const user = await run.lookups.user(benefit.partnerId, contact.userId);
    const name = user?.displayName ?? contact.email;
    return reminder([
      {
        to: [{ address: contact.email, displayName: name }],
        locale: contact.preferredLanguage,
        recipientName: name,
      },
    ]);
  }
  if (hasSeats(benefit)) {
    const users: User[] = [];
    for (const userId of new Set(benefit.assignments.filter((a) => !a.endedAt).map((a) => a.userId))) {
      const user = await run.lookups.user(benefit.partnerId, userId);
      if (user) users.push(user);
    }
    if (users.length > 0) return reminder(byLanguage(users, partner, partnerName));
  }
  const admins = await run.lookups.globalAdmins(benefit.partnerId);
  return reminder(byLanguage(admins, partner, partnerName));
}

/** A membership reminder (docs/product.md §12): to the GlobalAdmins, with the portal's renewal link. */
async function membershipEmail(run: Run, partner: Partner, notice: DueNotice): Promise<NoticeEmail> {
  const admins = await run.lookups.globalAdmins(partner.id);
  const expiresAt = partner.membership.expiresAt;
  return {
    kind: 'membershipExpiryReminder',
    groups: byLanguage(admins, partner, partner.name),
    data: (recipientName) => ({
      recipientName,
      partnerName: partner.name,
      level: LEVEL_NAMES[partner.level],
      expiresAt: notice.kind === 'membershipExpiryReminder' ? notice.expiresAt : expiresAt,
      closesAt: renewalWindow(expiresAt).closesAt,
      renewUrl: portalUrl(run.services),
    }),
  };
}

const recipientOf = (u: User): EmailRecipient => ({ address: u.accountEmail, displayName: u.displayName });
const namesOf = (users: User[], fallback: string) =>
  users.length === 0 ? fallback : users.length <= 3 ? users.map((u) => u.displayName).join(', ') : fallback;
