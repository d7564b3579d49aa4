/**
 * The expiry sweep (docs/product.md §8), run by the `expirySweep` timer trigger (`functions/expiry.ts`,
 * schedule `%EXPIRY_SWEEP_SCHEDULE%`) and by `npm run sweep` through the local host.
 *
 * It pages through the `Active` benefits with `expiresAt <= now` across partners (a selective query: its cost
 * grows with the due count, not with all benefits), and expires each one in ONE unit of work
 * (src/app/unitOfWork.ts): the benefit `Expired` with its active assignments ended — conditional on the ETag the
 * page gave it, so a benefit changed meanwhile is read and decided again (still `Active` and due?) and one that no
 * longer qualifies is skipped with no write — together with its audit event `benefit.expire` and the outbox record
 * of its ONE expiry notice (idempotency key `expiry-<benefitId>`). The relay sends the notice after the commit and
 * retries it (src/app/outbox.ts), so no notice is lost and none is sent twice: two sweeps running at once expire
 * each benefit once and owe one notice each.
 *
 * Paging (decision): a run follows the continuation token rather than restarting from the first page. The token
 * is a resume position, not an offset — real Cosmos resumes from its backend cursor, the embedded server from the
 * `_rid` of the next unread item (`_rid` survives a replace) — so benefits that leave the result set as they
 * expire cannot make the run skip others. Restarting from page one would instead re-read every benefit it had
 * to skip (a lost race, a failed write) on every page and could loop. One run stops at its budget; what is left
 * is found by the next run (the query starts afresh each run).
 */
import { activeAssignments, endAllAssignments } from '../domain/rules';
import type { Assignment, Benefit, Locale, Partner, User } from '../domain/types';
import type { EmailRecipient, Versioned } from './ports';
import type { AppDeps as Services } from './ports';
import { runUnitOfWork } from './unitOfWork';

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
  /** Expiry notices this run owed (outbox records committed with the expiry; the relay sends them). */
  notices: number;
  /** Query pages read. */
  pages: number;
}

/**
 * A sweep's options with their defaults and bounds: `budget` ≥ 0 (default `EXPIRY_SWEEP_BUDGET`), `pageSize` 1–1000
 * (default 100), `concurrency` ≥ 1 (default 8), `log` (default: nothing). Shared by the expiry and notice sweeps.
 */
export function sweepLimits(services: Services, options: ExpirySweepOptions) {
  return {
    budget: Math.max(0, Math.floor(options.budget ?? services.config.EXPIRY_SWEEP_BUDGET)),
    pageSize: Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 100))),
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 8)),
    log: options.log ?? ((_message: string) => undefined),
  };
}

/** Idempotency key of a benefit's expiry notice: one notice per benefit, ever. */
export const expiryNoticeKey = (benefitId: string) => `expiry-${benefitId}`;

/**
 * Runs one sweep at `services.clock.now()` (docs/product.md §8).
 * Round trips (embedded server, measured by test/http/expirySweep.test.ts): `pages` queries, plus per expired
 * benefit ONE batch (its unit of work; one read more per lost race), plus per assignee one user read, plus per
 * partner touched one partner read (and, for a Go-To-Market offer without marketing contact, one query for its
 * GlobalAdmins, or one user read of the contact) — independent of the number of benefits that are not due. The
 * relay's sending is not part of the run.
 * A benefit whose unit of work fails is logged and left for the next run (its error does not stop the run).
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
  const { budget, pageSize, concurrency, log } = sweepLimits(services, options);
  const lookups = new Lookups(services);
  const result: ExpirySweepResult = { expired: 0, notices: 0, pages: 0 };

  let examined = 0;
  let continuationToken: string | undefined;
  while (examined < budget) {
    const page = await services.store.listExpiredBenefits(nowIso, {
      pageSize: Math.min(pageSize, budget - examined),
      continuationToken,
    });
    result.pages++;
    examined += page.items.length;
    await forEachLimited(page.items, concurrency, async (listed) => {
      try {
        const out = await expireOne(services, listed, now, lookups);
        if (out.expired) result.expired++;
        if (out.notified) result.notices++;
      } catch (e) {
        log(`Expiry of benefit ${listed.value.id} (${listed.value.partnerId}) failed: ${errorText(e)}`);
      }
    });
    if (!page.continuationToken) break;
    continuationToken = page.continuationToken;
  }
  return result;
}

/** Expires one benefit if it is still due, owing its notice; see {@link runExpirySweep}. */
async function expireOne(
  services: Services,
  listed: Versioned<Benefit>,
  now: Date,
  lookups: Lookups,
): Promise<{ expired: boolean; notified: boolean }> {
  const nowIso = now.toISOString();
  const { partnerId, id } = listed.value;
  let first = true;
  const { result } = await runUnitOfWork(services, partnerId, async (uow) => {
    // The page's version first; after a lost race, the benefit as it is now.
    const current = first ? listed : await services.store.getBenefit(partnerId, id);
    first = false;
    const b = current?.value;
    if (
      !current ||
      !b ||
      b.status !== 'Active' ||
      b.expiresAt === undefined ||
      Date.parse(b.expiresAt) > now.getTime()
    ) {
      return { expired: false, notified: false }; // already expired by another sweep, cancelled, or renewed
    }
    // The assignees are those holding a seat when it expired.
    const holders = activeAssignments(b);
    const expired = uow.replace<Benefit>('benefit', current, {
      ...b,
      status: 'Expired',
      assignments: endAllAssignments(b.assignments, nowIso),
    });
    const partner = await lookups.partner(partnerId);
    const recipients = await noticeRecipients(expired, partner, holders, lookups);
    uow.audit({
      caller: 'system',
      action: 'benefit.expire',
      target: { type: 'benefit', id },
      detail: {
        expiresAt: b.expiresAt,
        assignmentsEnded: holders.length,
        noticeRecipients: recipients.to.length,
      },
    });
    // No recipients, no email: there is nobody to tell.
    if (recipients.to.length === 0) return { expired: true, notified: false };
    uow.email({
      kind: 'expiryNotice',
      locale: recipients.locale,
      data: {
        recipientName: recipients.name,
        partnerName: partner?.name ?? partnerId,
        productName: b.productName,
        expiredAt: b.expiresAt ?? nowIso,
      },
      to: recipients.to,
      idempotencyKey: expiryNoticeKey(id),
    });
    return { expired: true, notified: true };
  });
  return result;
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
