/** The partner's audit trail (docs/product.md §9): read, one page at a time. Writing is `audit` (./audit.ts). */
import type { AuditEvent } from '../domain/types';
import { assertCan } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller } from './ports';

/**
 * One page of the partner's audit events (`read`; one query).
 * @throws DomainError `forbidden`.
 */
export async function listAuditTrail(
  deps: AppDeps,
  cmd: PartnerCaller & { page: PageOptions },
): Promise<Page<AuditEvent>> {
  assertCan(cmd.user, 'read');
  return deps.store.listAuditEvents(cmd.partner.id, cmd.page);
}
