/**
 * The expiry sweep (docs/product.md §8), run by the `expirySweep` timer trigger (`functions/expiry.ts`,
 * schedule `%EXPIRY_SWEEP_SCHEDULE%`) and by `npm run sweep` through the local host.
 *
 * It pages through the `Active` benefits with `expiresAt <= now` across partners (a selective query: its cost
 * grows with the due count, not with all benefits), and for each one:
 * 1. marks it `Expired`, ends its active assignments and records the notice it is owed (`expiryNotice: Pending`)
 *    in one conditional (ETag) update that re-checks, inside the write, that it is still `Active` and due — a
 *    benefit that no longer qualifies is skipped with no write;
 * 2. only if this run won that write: sends ONE expiry notice (idempotency key `expiry-<benefitId>`), records
 *    `Sent` (or, if the send failed, `Pending` again for a retry) and audits `benefit.expire` as `system`.
 * The same query also returns `Expired` benefits whose notice is still `Pending` after the retry lease
 * ({@link EXPIRY_NOTICE_RETRY_AFTER_MS}) — a failed send, or a crash between the two steps — and the run claims
 * (conditional write) and resends them, up to {@link EXPIRY_NOTICE_MAX_ATTEMPTS} attempts; so no notice is lost.
 * So the sweep is idempotent, and two sweeps running at once expire each benefit once and send one notice each.
 *
 * Paging (decision): a run follows the continuation token rather than restarting from the first page. The token
 * is a resume position, not an offset — real Cosmos resumes from its backend cursor, the embedded server from the
 * `_rid` of the next unread item (`_rid` survives a replace) — so benefits that leave the result set as they
 * expire cannot make the run skip others. Restarting from page one would instead re-read every benefit it had
 * to skip (a lost race, a failed write) on every page and could loop. One run stops at its budget; what is left
 * is found by the next run (the query starts afresh each run).
 */
import { activeAssignments, endAllAssignments } from '../domain/rules';
import { DomainError } from '../domain/errors';
import type { Assignment, Benefit, ExpiryNoticeState, Locale, Partner, User } from '../domain/types';
import type { EmailRecipient } from './ports';
import type { AppDeps as Services } from './ports';
import { audit } from './audit';
import { notify } from './notify';

/** Options of {@link runExpirySweep}. */
export interface ExpirySweepOptions {
  /** Most benefits one run examines (default `EXPIRY_SWEEP_BUDGET` from the settings, default 1000). */
  budget?: number;
  /** Benefits per query page, 1–1000 (default 100). */
  pageSize?: number;
  /** How many benefits of a page are expired at once (default 8). */
  concurrency?: number;
  /** Warnings: a failed benefit, a notice that could not be sent. */
  log?: (message: string) => void;
}

/** What one run did. */
export interface ExpirySweepResult {
  /** Benefits this run marked `Expired` (it won the conditional write). */
  expired: number;
  /** Expiry notices this run handed to the email provider. */
  notices: number;
  /** Query pages read. */
  pages: number;
}

/**
 * How long a `Pending` expiry notice is left alone before a sweep retries it (a lease: the sweep that expired the
 * benefit is sending it meanwhile). 10 minutes.
 */
export const EXPIRY_NOTICE_RETRY_AFTER_MS = 10 * 60_000;

/** Send attempts after which an expiry notice is given up (`Failed`; each failure is audited `email.failed`). */
export const EXPIRY_NOTICE_MAX_ATTEMPTS = 5;

/** Idempotency key of a benefit's expiry notice: one notice per benefit, ever. */
export const expiryNoticeKey = (benefitId: string) => `expiry-${benefitId}`;

/**
 * Runs one sweep at `services.clock.now()` (docs/product.md §8).
 * Round trips (embedded server, measured by test/http/expirySweep.test.ts): `pages` queries, plus per expired
 * benefit one read + one write (the conditional update) + one write of the notice state (with that write's ETag)
 * + one audit write, plus per assignee one user read, plus
 * per partner touched one partner read (and, for a Go-To-Market offer without marketing contact, one query for
 * its GlobalAdmins, or one user read of the contact) — independent of the number of benefits that are not due.
 * A benefit whose conditional update fails is logged and left for the next run (its error does not stop the run);
 * a notice that cannot be sent after the benefit was expired is logged and audited (`email.failed`) by `notify`
 * and retried by a later run after the lease (the idempotency key keeps it one notice).
 * @param services the app's services; `services.clock.now()` is the sweep's "now" for the whole run.
 * @returns counts of this run; never throws for one benefit's failure.
 * @throws the store's error when a query page cannot be read (the next run starts afresh).
 */
export async function runExpirySweep(
  services: Services,
  options: ExpirySweepOptions = {},
): Promise<ExpirySweepResult> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const budget = Math.max(0, Math.floor(options.budget ?? services.config.EXPIRY_SWEEP_BUDGET));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 100)));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const log = options.log ?? (() => undefined);
  const lookups = new Lookups(services);
  const result: ExpirySweepResult = { expired: 0, notices: 0, pages: 0 };

  let examined = 0;
  let continuationToken: string | undefined;
  while (examined < budget) {
    const page = await services.store.listExpiredBenefits(nowIso, {
      pageSize: Math.min(pageSize, budget - examined),
      continuationToken,
      noticeRetryBeforeIso: new Date(now.getTime() - EXPIRY_NOTICE_RETRY_AFTER_MS).toISOString(),
    });
    result.pages++;
    examined += page.items.length;
    await forEachLimited(page.items, concurrency, async (listed) => {
      try {
        const out = await expireOne(services, listed, now, lookups, log);
        if (out.expired) result.expired++;
        if (out.notified) result.notices++;
      } catch (e) {
        log(`Expiry of benefit ${listed.id} (${listed.partnerId}) failed: ${errorText(e)}`);
      }
    });
    if (!page.continuationToken) break;
    continuationToken = page.continuationToken;
  }
  return result;
}

/** Expires one benefit if it is still due, or retries its pending notice; see {@link runExpirySweep}. */
async function expireOne(
  services: Services,
  listed: Benefit,
  now: Date,
  lookups: Lookups,
  log: (message: string) => void,
): Promise<{ expired: boolean; notified: boolean }> {
  if (listed.status === 'Expired') return retryNotice(services, listed, now, lookups, log);
  const nowIso = now.toISOString();
  const saved = await services.store.updateBenefitIfChanged<Assignment[]>(
    listed.partnerId,
    listed.id,
    (b) => {
      if (b.status !== 'Active' || b.expiresAt === undefined || Date.parse(b.expiresAt) > now.getTime()) {
        return undefined; // already expired by another sweep, cancelled, or renewed: nothing to do
      }
      return {
        value: {
          ...b,
          status: 'Expired',
          assignments: endAllAssignments(b.assignments, nowIso),
          // The notice is owed from this very write on: a failed send or a crash leaves it Pending for a retry.
          expiryNotice: { status: 'Pending', attempts: 0, expiredAt: nowIso, updatedAt: nowIso },
        },
        // The assignees are those holding a seat when it expired.
        result: activeAssignments(b),
      };
    },
  );
  if (!saved.changed) return { expired: false, notified: false };
  const holders = saved.result ?? [];
  const { notified, recipients } = await sendNotice(services, saved, holders, now, lookups, log);
  await audit(services, {
    partnerId: listed.partnerId,
    caller: 'system',
    action: 'benefit.expire',
    target: { type: 'benefit', id: listed.id },
    detail: {
      expiresAt: saved.value.expiresAt,
      assignmentsEnded: holders.length,
      noticeRecipients: recipients,
      noticeSent: notified,
    },
  });
  return { expired: true, notified };
}

/**
 * A later sweep's retry of a notice left `Pending` (failed send, crash after the expiry write). The sweep claims
 * it first by a conditional write that moves `updatedAt` to its "now", so a concurrent sweep cannot send it too.
 */
async function retryNotice(
  services: Services,
  listed: Benefit,
  now: Date,
  lookups: Lookups,
  log: (message: string) => void,
): Promise<{ expired: boolean; notified: boolean }> {
  const nowIso = now.toISOString();
  const retryBefore = now.getTime() - EXPIRY_NOTICE_RETRY_AFTER_MS;
  const claimed = await services.store.updateBenefitIfChanged(listed.partnerId, listed.id, (b) => {
    const n = b.expiryNotice;
    if (b.status !== 'Expired' || n?.status !== 'Pending' || Date.parse(n.updatedAt) > retryBefore)
      return undefined;
    return { value: { ...b, expiryNotice: { ...n, updatedAt: nowIso } } };
  });
  if (!claimed.changed) return { expired: false, notified: false };
  const expiredAt = claimed.value.expiryNotice!.expiredAt;
  const holders = claimed.value.assignments.filter((a) => a.endedAt === expiredAt);
  const { notified } = await sendNotice(services, claimed, holders, now, lookups, log);
  return { expired: false, notified };
}

/**
 * Sends the expiry notice (idempotency key `expiry-<benefitId>`) and records the outcome on the benefit: `Sent`,
 * or still `Pending` for a later retry, or `Failed` after {@link EXPIRY_NOTICE_MAX_ATTEMPTS} attempts. The record
 * is one conditional replace with the ETag the caller's write returned (re-read only if the benefit changed since).
 */
async function sendNotice(
  services: Services,
  saved: { value: Benefit; etag: string },
  holders: Assignment[],
  now: Date,
  lookups: Lookups,
  log: (message: string) => void,
): Promise<{ notified: boolean; recipients: number }> {
  const benefit = saved.value;
  const nowIso = now.toISOString();
  const partner = await lookups.partner(benefit.partnerId);
  const recipients = await noticeRecipients(benefit, partner, holders, lookups);
  let notified = false;
  if (recipients.to.length > 0) {
    notified = await notify(services, {
      kind: 'expiryNotice',
      locale: recipients.locale,
      data: {
        recipientName: recipients.name,
        partnerName: partner?.name ?? benefit.partnerId,
        productName: benefit.productName,
        expiredAt: benefit.expiresAt ?? nowIso,
      },
      to: recipients.to,
      idempotencyKey: expiryNoticeKey(benefit.id),
      partnerId: benefit.partnerId,
      log,
    });
  }
  const settle = (n: ExpiryNoticeState): ExpiryNoticeState => {
    const attempts = n.attempts + 1;
    // No recipients is final too: there is nobody to retry for.
    const status =
      notified || recipients.to.length === 0
        ? 'Sent'
        : attempts >= EXPIRY_NOTICE_MAX_ATTEMPTS
          ? 'Failed'
          : 'Pending';
    return { ...n, status, attempts, updatedAt: nowIso };
  };
  const settled = settle(benefit.expiryNotice!);
  try {
    await services.store.replaceBenefit({ ...benefit, expiryNotice: settled }, saved.etag);
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'precondition-failed')) throw e;
    await services.store.updateBenefitIfChanged(benefit.partnerId, benefit.id, (b) =>
      b.expiryNotice?.status === 'Pending'
        ? { value: { ...b, expiryNotice: settle(b.expiryNotice) } }
        : undefined,
    );
  }
  if (settled.status === 'Failed') {
    log(
      `Expiry notice of benefit ${benefit.id} (${benefit.partnerId}) given up after ${settled.attempts} attempts.`,
    );
  }
  return { notified, recipients: recipients.to.length };
}

/**
 * Who gets the expiry notice (docs/product.md §8): for a Go-To-Market offer the marketing contact (its email,
 * in its preferred language), or — when the partner has none (product) — the partner's GlobalAdmins in en-US;
 * for every other benefit the users whose assignment it ended (account emails, en-US). No recipients → no
 * email.
 */
async function noticeRecipients(
  benefit: Benefit,
  partner: Partner | undefined,
  holders: Assignment[],
  lookups: Lookups,
): Promise<{ to: EmailRecipient[]; locale: Locale | undefined; name: string }> {
  const fallbackName = partner?.name ?? benefit.partnerId;
  if (benefit.category === 'goToMarket') {
    const contact = partner?.marketingContact;
    if (contact) {
      const user = await lookups.user(benefit.partnerId, contact.userId);
      const name = user?.displayName ?? contact.email;
      return { to: [{ address: contact.email, displayName: name }], locale: contact.preferredLanguage, name };
    }
    const admins = await lookups.globalAdmins(benefit.partnerId);
    return { to: admins.map(recipientOf), locale: undefined, name: namesOf(admins, fallbackName) };
  }
  const seen = new Set<string>();
  const users: User[] = [];
  for (const a of holders) {
    if (seen.has(a.userId)) continue;
    seen.add(a.userId);
    const user = await lookups.user(benefit.partnerId, a.userId);
    if (user) users.push(user);
  }
  return { to: users.map(recipientOf), locale: undefined, name: namesOf(users, fallbackName) };
}

const recipientOf = (u: User): EmailRecipient => ({ address: u.accountEmail, displayName: u.displayName });
const namesOf = (users: User[], fallback: string) =>
  users.length === 0 ? fallback : users.length <= 3 ? users.map((u) => u.displayName).join(', ') : fallback;

/**
 * Per-run caches of partner and user reads (a run touches few partners; concurrent loads are shared). Also used by
 * the notice sweep (`src/app/notices.ts`).
 */
export class Lookups {
  private readonly partners = new Map<string, Promise<Partner | undefined>>();
  private readonly users = new Map<string, Promise<User | undefined>>();
  private readonly admins = new Map<string, Promise<User[]>>();

  constructor(private readonly services: Services) {}

  partner(partnerId: string): Promise<Partner | undefined> {
    return cached(
      this.partners,
      partnerId,
      async () => (await this.services.store.getPartner(partnerId))?.value,
    );
  }

  user(partnerId: string, userId: string): Promise<User | undefined> {
    return cached(
      this.users,
      `${partnerId}\n${userId}`,
      async () => (await this.services.store.getUser(partnerId, userId))?.value,
    );
  }

  globalAdmins(partnerId: string): Promise<User[]> {
    return cached(this.admins, partnerId, () =>
      this.services.store.listUsersWithRole(partnerId, 'GlobalAdmin'),
    );
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = load();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
