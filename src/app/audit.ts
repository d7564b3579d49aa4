/**
 * Audit trail (docs/product.md §9: every mutation writes an audit event: actor, action, target, outcome,
 * time).
 */
import type { AuditEvent } from '../domain/types';
import type { AppDeps as Services } from './ports';
import type { Actor as Caller } from './ports';

/** What to record; `outcome` defaults to Succeeded. */
export interface AuditInput {
  partnerId: string;
  caller: Caller | 'system';
  action: string;
  target: { type: string; id: string };
  outcome?: AuditEvent['outcome'];
  detail?: Record<string, unknown>;
}

/**
 * Writes one audit event on its own (one round trip). Never include secrets (keys, tokens) in `detail`. A mutation
 * records its audit event in its unit of work instead (`UnitOfWork.audit`, src/app/unitOfWork.ts), so the two are
 * written together; this is for the routes not converted yet (docs/decisions.md, "One unit of work per mutation").
 */
export async function audit(services: Services, input: AuditInput): Promise<AuditEvent> {
  const event: AuditEvent = {
    id: services.newId(),
    partnerId: input.partnerId,
    at: services.clock.now().toISOString(),
    actor:
      input.caller === 'system'
        ? { objectId: 'system', kind: 'system' }
        : { objectId: input.caller.objectId, kind: input.caller.isOperator ? 'operator' : 'user' },
    action: input.action,
    target: input.target,
    outcome: input.outcome ?? 'Succeeded',
    ...(input.detail ? { detail: input.detail } : {}),
  };
  await services.store.appendAudit(event);
  return event;
}
