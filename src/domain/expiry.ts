/**
 * Expiry of an activated benefit (docs/product.md §3: "`expiresAt` is the catalog offer's term from
 * activation for Go-To-Market offers (12 months unless the catalog says otherwise), and the membership's end
 * date for the rest").
 */
import { DateTime } from 'luxon';
import { DEFAULT_GTM_TERM_MONTHS, getCatalogItem } from './catalog';
import { DomainError } from './errors';
import type { Benefit, CatalogItem } from './types';

/**
 * Parses an ISO 8601 instant and renders it as UTC with milliseconds (`YYYY-MM-DDTHH:mm:ss.SSSZ`, the shape of
 * `Date#toISOString`).
 * @throws DomainError `internal-error` when `iso` is not a valid ISO 8601 instant: stored data is corrupt.
 */
export function toUtcIso(iso: string, what = 'timestamp'): string {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new DomainError('internal-error', `Invalid ${what}: ${JSON.stringify(iso)}.`);
  return dt.toUTC().toISO();
}

/**
 * When a benefit activated at `activatedAt` expires, as an ISO 8601 UTC string (docs/product.md §3).
 * - `goToMarket`: `activatedAt` + the offer's `termMonths` calendar months (default 12), computed with luxon in UTC
 *   (e.g. 2024-02-29 + 12 months = 2025-02-28). The term is not capped by the membership end (product).
 * - every other category: `membershipExpiresAt` (the membership's end date) (product, docs/product.md §3),
 *   which must lie after `activatedAt` (docs/product.md §2: no benefit ever gets an `expiresAt` earlier than
 *   its `activatedAt`).
 * @param catalogItem the benefit's catalog item; when omitted it is looked up from `benefit.packageId` /
 *   `benefit.catalogItemId`; when not found the default term applies.
 * @throws DomainError `membership-inactive` when the membership ends at or before `activatedAt`;
 *   `internal-error` when `membershipExpiresAt` is needed and is not a valid ISO 8601 instant, or `termMonths` is
 *   not a positive integer.
 */
export function computeExpiresAt(
  benefit: Pick<Benefit, 'category' | 'packageId' | 'catalogItemId'>,
  activatedAt: Date,
  membershipExpiresAt: string,
  catalogItem?: Pick<CatalogItem, 'termMonths'>,
): string {
  if (benefit.category === 'goToMarket') {
    const item = catalogItem ?? getCatalogItem(benefit.packageId, benefit.catalogItemId);
    const months = item?.termMonths ?? DEFAULT_GTM_TERM_MONTHS;
    if (!Number.isInteger(months) || months <= 0) {
      throw new DomainError('internal-error', `Invalid Go-To-Market term: ${months} months.`);
    }
    return DateTime.fromJSDate(activatedAt, { zone: 'utc' }).plus({ months }).toISO() as string;
  }
  const end = toUtcIso(membershipExpiresAt, 'membership expiresAt');
  // docs/product.md §2: no benefit ever gets an `expiresAt` earlier than its `activatedAt` — a membership
  // that has ended activates nothing.
  if (Date.parse(end) <= activatedAt.getTime()) {
    throw new DomainError(
      'membership-inactive',
      `Your membership ended at ${end}; renew it to activate benefits.`,
    );
  }
  return end;
}
