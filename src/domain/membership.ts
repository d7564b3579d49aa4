/**
 * The membership lifecycle (docs/product.md §12): renewal within its window, and the operator's level change.
 *
 * Sources: 2017-07 seed "Renew and upgrade membership"; every seed's next steps "Purchase or renew a subscription to
 * Microsoft Action Pack". The window (90 days before the end, 30 days of grace after it) and the 12-month term are
 * docs/product.md §12's (product). Dates are computed with luxon in UTC.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { DomainError } from './errors';
import { BenefitSchema, IdSchema, IsoDateTime, PurchaseSchema } from './schemas';
import {
  ManagedInSchema,
  MembershipStatusSchema,
  PartnerLevelSchema,
  type CatalogPackage,
  type Partner,
  type PartnerLevel,
} from './types';

/** The renewal window opens this long before the membership's `expiresAt` (docs/product.md §12). */
const RENEWAL_OPENS_BEFORE_DAYS = 90;
/** …and stays open this long after it (grace, docs/product.md §12). */
const RENEWAL_GRACE_DAYS = 30;
/** A renewal adds this many calendar months to the later of now and the old `expiresAt` (docs/product.md §12). */
const RENEWAL_TERM_MONTHS = 12;

/**
 * The package that renews a membership of each level (docs/product.md §12: "a package of the partner's own level"):
 * Action Pack for `ActionPack`, the competency package of the level otherwise (package ids of docs/product.md §10).
 */
export const MEMBERSHIP_PACKAGE: Readonly<Record<PartnerLevel, string>> = Object.freeze({
  ActionPack: 'action-pack',
  Silver: 'silver-competency',
  Gold: 'gold-competency',
});

/** The API path of a partner's renewal (`POST`, docs/product.md §12). */
function renewalPath(partnerId: string): string {
  return `/api/partners/${encodeURIComponent(partnerId)}/membership/renewal`;
}

/** When a membership's renewal window opens and closes (ISO 8601 UTC instants). */
export interface RenewalWindow {
  /** `expiresAt` − 90 days. */
  opensAt: string;
  /** `expiresAt` + 30 days (the end of the grace period). */
  closesAt: string;
}

/**
 * The renewal window of a membership ending at `expiresAt` (docs/product.md §12): from 90 days before to 30 days after.
 * @throws DomainError `internal-error` when `expiresAt` is not an ISO 8601 instant (stored data is corrupt).
 */
export function renewalWindow(expiresAt: string): RenewalWindow {
  const end = utc(expiresAt);
  return {
    opensAt: end.minus({ days: RENEWAL_OPENS_BEFORE_DAYS }).toISO()!,
    closesAt: end.plus({ days: RENEWAL_GRACE_DAYS }).toISO()!,
  };
}

/** True when `now` lies within the renewal window of the membership (both ends included). */
export function isRenewalOpen(membership: Partner['membership'], now: Date): boolean {
  if (membership.status === 'Suspended') return false;
  const { opensAt, closesAt } = renewalWindow(membership.expiresAt);
  const t = now.getTime();
  return Date.parse(opensAt) <= t && t <= Date.parse(closesAt);
}

/** What a renewal changes: the membership's end before and after (ISO 8601). */
export interface RenewalRecord {
  previousExpiresAt: string;
  expiresAt: string;
}

/**
 * Renews the partner's membership with a purchase of `pkg` at `now` (docs/product.md §12) and returns the renewed partner
 * (no mutation): `membership.expiresAt` = the later of `now` and the old `expiresAt`, plus 12 calendar months
 * (luxon, UTC; e.g. 2024-02-29 + 12 months = 2025-02-28); `membership.status` = `Active`.
 *
 * Check order: suspended, package of the partner's own level, window. (PMC partners are refused by the route and
 * again by `provisionBenefits`, which the caller runs with the renewed partner.)
 * @throws DomainError `membership-inactive` when the membership is `Suspended` (the operator's decision; a
 *   renewal does not lift it) · `not-eligible` when `pkg` is not the package of the partner's level (the
 *   detail names the right one) · `renewal-not-open` outside the window, with the extension members
 *   `opensAt` and `closesAt` (ISO 8601), the opening date also in the detail.
 */
export function renewMembership(
  partner: Partner,
  pkg: Pick<CatalogPackage, 'id' | 'name'>,
  now: Date,
): { partner: Partner; renewal: RenewalRecord } {
  const { membership } = partner;
  if (membership.status === 'Suspended') {
    throw new DomainError(
      'membership-inactive',
      'Your membership is Suspended by the program operator; a renewal cannot lift a suspension. Contact the program operator.',
    );
  }
  const own = MEMBERSHIP_PACKAGE[partner.level];
  if (pkg.id !== own) {
    throw new DomainError(
      'not-eligible',
      `A ${partner.level} membership is renewed with the package ${own}; ${pkg.name} (${pkg.id}) is not of your level.`,
    ).with({ renewalPackageId: own });
  }
  const window = renewalWindow(membership.expiresAt);
  if (!isRenewalOpen(membership, now)) {
    const detail =
      now.getTime() < Date.parse(window.opensAt)
        ? `Your membership ends at ${membership.expiresAt}; its renewal opens at ${window.opensAt} (90 days before).`
        : `Your membership ended at ${membership.expiresAt}; its renewal closed at ${window.closesAt} (30 days of grace). Contact the program operator.`;
    throw new DomainError('renewal-not-open', detail).with({ ...window });
  }
  const base = DateTime.max(utc(membership.expiresAt), DateTime.fromJSDate(now, { zone: 'utc' }));
  const expiresAt = base.plus({ months: RENEWAL_TERM_MONTHS }).toISO()!;
  return {
    partner: { ...partner, membership: { status: 'Active', expiresAt } },
    renewal: { previousExpiresAt: membership.expiresAt, expiresAt },
  };
}

/**
 * The detail of `membership-inactive` for a partner that cannot purchase or activate (docs/product.md §2 "Membership"),
 * naming the way out: the renewal route while its window is open (or its opening date), the program operator once
 * the grace period is over or when the membership is suspended (docs/product.md §12).
 * @param partner the partner; `id` names the route (a template path without it).
 */
export function membershipInactiveDetail(
  partner: Pick<Partner, 'membership'> & Partial<Pick<Partner, 'id'>>,
  now: Date,
): string {
  const { status, expiresAt } = partner.membership;
  if (status === 'Suspended') {
    return 'Your membership is Suspended; contact the program operator to purchase or activate benefits.';
  }
  const path =
    partner.id === undefined ? '/api/partners/{partnerId}/membership/renewal' : renewalPath(partner.id);
  const ended =
    status === 'Active' ? `Your membership ended at ${expiresAt}` : `Your membership is ${status}`;
  let window: RenewalWindow;
  try {
    window = renewalWindow(expiresAt);
  } catch {
    return `${ended}; renew it with POST ${path} to purchase or activate benefits.`;
  }
  if (now.getTime() > Date.parse(window.closesAt)) {
    return `${ended}; its renewal closed at ${window.closesAt} (30 days of grace). Contact the program operator.`;
  }
  if (now.getTime() < Date.parse(window.opensAt)) {
    return `${ended}; renew it with POST ${path} from ${window.opensAt} to purchase or activate benefits.`;
  }
  return `${ended}; renew it with POST ${path} (open until ${window.closesAt}) to purchase or activate benefits.`;
}

/**
 * The operator's level change (docs/product.md §12 "upgrade"; a downgrade too): the partner with `level` (no mutation), and
 * whether anything changed. Eligibility to buy follows the new level from now on; bought benefits keep their terms
 * (nothing else of the partner changes, and no benefit is touched).
 */
export function changeLevel(partner: Partner, level: PartnerLevel): { partner: Partner; changed: boolean } {
  if (partner.level === level) return { partner, changed: false };
  return { partner: { ...partner, level }, changed: true };
}

function utc(iso: string): DateTime {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid)
    throw new DomainError('internal-error', `Invalid membership expiresAt: ${JSON.stringify(iso)}.`);
  return dt;
}

// ---- HTTP contract (docs/product.md §12) --------------------------------------------------------------------------------

/** `POST /api/partners/{partnerId}/membership/renewal`: `{ packageId }` (the package of the partner's level). */
export const RenewalBody = z.strictObject({ packageId: IdSchema }).meta({ id: 'RenewalBody' });
export type RenewalBody = z.infer<typeof RenewalBody>;

/** `PATCH /api/operator/partners/{partnerId}`: `{ level }` (upgrade or downgrade, docs/product.md §12). */
export const ChangeLevelBody = z.strictObject({ level: PartnerLevelSchema }).meta({ id: 'ChangeLevelBody' });
export type ChangeLevelBody = z.infer<typeof ChangeLevelBody>;

/** The renewal facts the portal needs to show **Renew** (docs/product.md §12). */
const RenewalInfoSchema = z
  .object({
    /** True when a renewal is possible now. */
    open: z.boolean(),
    opensAt: IsoDateTime,
    closesAt: IsoDateTime,
    /** The package that renews this membership (of the partner's level). */
    packageId: z.string(),
    /** Where to `POST { packageId }`. */
    path: z.string(),
  })
  .meta({ id: 'RenewalInfo' });

/** A partner's membership as `GET …/membership` and the renewal answer show it. */
export const MembershipSchema = z
  .object({
    level: PartnerLevelSchema,
    managedIn: ManagedInSchema,
    status: MembershipStatusSchema,
    expiresAt: IsoDateTime,
    /** Absent for a membership managed in PMC (renewed there). */
    renewal: RenewalInfoSchema.optional(),
  })
  .meta({ id: 'Membership' });
export type MembershipView = z.infer<typeof MembershipSchema>;

/** `201` answer of a renewal: `{ purchase, benefits, membership }` (docs/product.md §12). */
export const RenewalCreatedSchema = z
  .object({ purchase: PurchaseSchema, benefits: z.array(BenefitSchema), membership: MembershipSchema })
  .meta({ id: 'RenewalCreated' });

/**
 * The membership of `partner` as the API shows it at `now` (docs/product.md §12): level, where it is managed, status, end,
 * and — for Partner Center memberships — the renewal window, whether it is open and which package renews it.
 */
export function membershipView(partner: Partner, now: Date): MembershipView {
  const view: MembershipView = {
    level: partner.level,
    managedIn: partner.managedIn,
    status: partner.membership.status,
    expiresAt: partner.membership.expiresAt,
  };
  if (partner.managedIn !== 'PartnerCenter') return view;
  let window: RenewalWindow;
  try {
    window = renewalWindow(partner.membership.expiresAt);
  } catch {
    return view;
  }
  return {
    ...view,
    renewal: {
      open: isRenewalOpen(partner.membership, now),
      ...window,
      packageId: MEMBERSHIP_PACKAGE[partner.level],
      path: renewalPath(partner.id),
    },
  };
}
