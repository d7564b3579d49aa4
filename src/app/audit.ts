/**
 * Audit trail (docs/product.md §9: every mutation writes an audit event: actor, action, target, outcome,
 * time). A mutation records its event in its unit of work (`UnitOfWork.audit`, src/app/unitOfWork.ts), so the two
 * are written together.
 */
import type { AuditEvent } from '../domain/types';
import type { Actor as Caller } from './ports';

/** What to record; `outcome` defaults to Succeeded. Never include secrets (keys, tokens) in `detail`. */
export interface AuditInput {
  partnerId: string;
  caller: Caller | 'system';
  action: string;
  target: { type: string; id: string };
  outcome?: AuditEvent['outcome'];
  detail?: Record<string, unknown>;
}
