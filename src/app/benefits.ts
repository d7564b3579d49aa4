/**
 * Benefit reads (docs/product.md §3, §9, §12): list the partner's benefits by category and product name, read one.
 * Keys never appear here (`toPublicBenefit`).
 */
import { DomainError } from '../domain/errors';
import type { PublicBenefit } from '../domain/keys';
import { toPublicBenefit } from '../domain/rules';
import type { Benefit, BenefitCategory, BenefitStatus } from '../domain/types';
import { assertCan } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller, Versioned } from './ports';

/** Filters of {@link listPartnerBenefits}; `expiresBefore` (ISO 8601) with `status: 'Active'` is "Expiring soon". */
export interface BenefitFilters {
  category?: BenefitCategory;
  status?: BenefitStatus;
  q?: string;
  expiresBefore?: string;
}

/**
 * One page of the partner's benefits, by category then product name (`read`; one query).
 * @throws DomainError `forbidden`.
 */
export async function listPartnerBenefits(
  deps: AppDeps,
  cmd: PartnerCaller & { filters: BenefitFilters; page: PageOptions },
): Promise<Page<PublicBenefit>> {
  assertCan(cmd.user, 'read');
  const page = await deps.store.listBenefits(cmd.partner.id, cmd.filters, cmd.page);
  return { ...page, items: page.items.map(toPublicBenefit) };
}

/**
 * One benefit (`read`), public view and ETag. `benefit` is the document as the access check read it (one round
 * trip in all, docs/decisions.md "Round trips"); undefined when it does not exist.
 * @throws DomainError `forbidden` · `not-found`.
 */
export function readBenefit(
  cmd: PartnerCaller & { benefitId: string; benefit: Versioned<Benefit> | undefined },
): Versioned<PublicBenefit> {
  assertCan(cmd.user, 'read');
  if (!cmd.benefit) throw new DomainError('not-found', `Benefit ${cmd.benefitId} was not found.`);
  return { value: toPublicBenefit(cmd.benefit.value), etag: cmd.benefit.etag };
}
