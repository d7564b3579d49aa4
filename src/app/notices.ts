/**
 * Notices before things run out (docs/product.md §12), sent by the expiry timer right after the expiry sweep (docs/product.md §8):
 * benefit reminders 30 and 7 days before `expiresAt`, membership reminders 60 and 14 days before the membership's
 * end (with the portal's renewal link), and the last-free-seat notice of a seat-limited benefit.
 *
 * What is due is found by two queries on one indexed field, `nextNoticeAt <= now` (benefits, partners), which the
 * store keeps on every write (`src/domain/notices.ts`); so a run's cost grows with what is due, not with the number
 * of benefits. Each subject (a benefit, a partner) with due notices is ONE unit of work (src/app/unitOfWork.ts): per
 * due notice its record (`notice:<kind>:<subject>:<…>`, created: it exists once, ever), the outbox records of its
 * emails — one per language among its recipients, each person in their own language, each with an idempotency key
 * ({@link noticeEmailKey}) — and its audit event `notice.send` as `system`; and the subject's schedule moved on
 * (conditional on its ETag). The relay sends the emails after the commit and retries them (src/app/outbox.ts).
 * Of two sweeps at once, one commits; the other finds the schedule moved (or the record there) and owes nothing.
 * So every notice is owed once, across repeated and concurrent runs, and none is lost.
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
import type { AppDeps as Services, Versioned } from './ports';
import { runExpirySweep, forEachLimited, Lookups, sweepLimits, type ExpirySweepResult } from './expirySweep';
import { recipientLocale } from '../domain/recipientLocale';
import { runUnitOfWork, type UnitOfWork } from './unitOfWork';

/**
 * The portal page the notices link to, under `PUBLIC_BASE_URL` (decision: the Benefits page, which shows the
 * membership card with **Renew** and the upcoming expiries; docs/product.md §11, §12).
 */
const PORTAL_BENEFITS_PATH = '/benefits';

/** A notice's record: one per notice, ever (see the module comment). Internal; never in responses. */
export interface NoticeRecord {
  /** `noticeRecordId` of src/domain/notices.ts. */
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
  /** People told. */
  recipients: number;
  /** The idempotency keys of its emails (one per language; their outbox records say whether they were sent). */
  emails: string[];
  createdAt: string;
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
  /** Emails of notices this run owed (one per notice and language of its recipients; the relay sends them). */
  sent: number;
  /** Benefits and partners examined (listed as due). */
  examined: number;
  /** Query pages read (benefits and partners). */
  pages: number;
}

/**
 * Runs one notice sweep at `services.clock.now()` (docs/product.md §12); see the module comment.
 * Round trips per subject with due notices (embedded server, counted by test/http/notices.test.ts): one read of
 * the subject and ONE batch (its unit of work); plus query pages and the recipients' look-ups, cached per run
 * (partner read, GlobalAdmin query, user reads) — none of it depends on the number of benefits that are not due.
 * @returns counts of this run; never throws for one item's failure (logged; the next run retries it).
 * @throws the store's error when a query page cannot be read (the next run starts afresh).
 */
export async function runNoticeSweep(
  services: Services,
  options: NoticeSweepOptions = {},
): Promise<NoticeSweepResult> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const { budget, pageSize, concurrency, log } = sweepLimits(services, options);
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

/** The due notices of one benefit, and its schedule moved on. */
async function benefitNotices(run: Run, listed: Benefit): Promise<void> {
  await subjectNotices<Benefit>(run, {
    partnerId: listed.partnerId,
    subject: { type: 'benefit', id: listed.id },
    read: () => run.services.store.getBenefit(listed.partnerId, listed.id),
    due: (b) => dueBenefitNotices(b, run.now),
    compose: (b, notice) => benefitEmail(run, b, notice),
    settle: settleBenefitNotices,
    replace: (uow, current, next) => uow.replace('benefit', current, next),
  });
}

/** The due membership reminder of one partner, and its schedule moved on. */
async function membershipNotices(run: Run, listed: Partner): Promise<void> {
  await subjectNotices<Partner>(run, {
    partnerId: listed.id,
    subject: { type: 'partner', id: listed.id },
    read: () => run.services.store.getPartner(listed.id),
    due: (p) => dueMembershipNotices(p, run.now),
    compose: (p, notice) => membershipEmail(run, p, notice),
    settle: settleMembershipNotices,
    replace: (uow, current, next) => uow.replacePartner(current, next),
  });
}

/**
 * One subject's due notices as ONE unit of work (see the module comment). A record that exists already (a run that
 * committed it, with another schedule write lost, or a concurrent run) makes the commit fail with `conflict`: the
 * unit is then built again, leaving out the notices whose records exist (one point read each).
 */
async function subjectNotices<T extends Benefit | Partner>(
  run: Run,
  s: {
    partnerId: string;
    subject: NoticeRecord['subject'];
    read: () => Promise<Versioned<T> | undefined>;
    due: (value: T) => DueNotice[];
    compose: (value: T, notice: DueNotice) => Promise<NoticeEmail>;
    settle: (value: T, settled: readonly DueNotice[]) => T;
    replace: (uow: UnitOfWork, current: Versioned<T>, next: T) => void;
  },
): Promise<void> {
  const { services, now } = run;
  for (let checkRecords = false; ; checkRecords = true) {
    try {
      const { result: owed } = await runUnitOfWork(services, s.partnerId, async (uow) => {
        const fresh = await s.read();
        if (!fresh) return 0;
        const settled: DueNotice[] = [];
        let emails = 0;
        for (const notice of s.due(fresh.value)) {
          settled.push(notice);
          const id = noticeRecordId(s.subject.id, notice);
          if (checkRecords && (await services.store.findNoticeRecord(s.partnerId, id))) continue; // owed before
          emails += oweNotice(uow, {
            id,
            subject: s.subject,
            notice,
            now,
            email: await s.compose(fresh.value, notice),
          });
        }
        const next = s.settle(fresh.value, settled);
        if (!sameSchedule(fresh.value, next)) s.replace(uow, fresh, next);
        return emails;
      });
      run.sent += owed;
      return;
    } catch (e) {
      if (checkRecords || !(e instanceof DomainError && e.code === 'conflict')) throw e;
    }
  }
}

/** Records one notice in `uow`: its record, an outbox record per email, its audit event. Returns the emails owed. */
function oweNotice(
  uow: UnitOfWork,
  input: { id: string; subject: NoticeRecord['subject']; notice: DueNotice; now: Date; email: NoticeEmail },
): number {
  const { id, notice, email } = input;
  const recipients = email.groups.reduce((n, g) => n + g.to.length, 0);
  const which = 'daysBefore' in notice ? { daysBefore: notice.daysBefore } : { episode: notice.episode };
  const keys = email.groups.map((g) => noticeEmailKey(`${id}|${g.locale ?? ''}`));
  uow.create<NoticeRecord>('notice', {
    id,
    partnerId: uow.partnerId,
    kind: notice.kind,
    subject: input.subject,
    dueAt: notice.dueAt,
    ...which,
    recipients,
    emails: keys,
    createdAt: input.now.toISOString(),
  });
  email.groups.forEach((group, i) =>
    uow.email({
      kind: email.kind,
      locale: group.locale,
      data: email.data(group.recipientName),
      to: group.to,
      idempotencyKey: keys[i],
    }),
  );
  uow.audit({
    caller: 'system',
    action: 'notice.send',
    target: input.subject,
    detail: { kind: notice.kind, ...which, recipients, emails: email.groups.length },
  });
  return email.groups.length;
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
