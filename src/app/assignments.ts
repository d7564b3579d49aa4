/**
 * Seats (docs/product.md §3): assign a seat of a benefit to a user, end an assignment. The seat invariant lives on
 * the one benefit document, guarded by its ETag with a bounded retry on 412 (the store), so concurrent
 * assignments never over-allocate. Who may assign is the policy's (src/app/policy.ts).
 */
import { DomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import { recipientLocale } from '../domain/recipientLocale';
import { assertSeatAssignable, assignSeat, activeAssignments, endAssignment } from '../domain/rules';
import type { Assignment, User } from '../domain/types';
import { audit } from './audit';
import { startContactVerification } from './contactOnboarding';
import { notify } from './notify';
import { assertCan, assertCanAssign, assertCanUnassign, assignAction, isSelfServiceSeat } from './policy';
import type { AppDeps, PartnerCaller } from './ports';

/** Input of {@link assignBenefitSeat}. */
export interface AssignSeatCommand extends PartnerCaller {
  benefitId: string;
  userId: string;
  alternateEmail?: string;
  message?: string;
  /** The `If-Match` ETag, if any (a stale one → 412 `precondition-failed`). */
  ifMatch?: string;
  log?: (message: string) => void;
}

/**
 * Assigns a seat: Visual Studio (GlobalAdmin assigns an existing user, who is emailed), usage-based cloud (the
 * caller assigns themself), technical (a contact with an alternate email, verified by email; docs/product.md §7).
 * Returns the assignment and the benefit's new ETag.
 * @throws DomainError `not-found` (benefit or user) · `forbidden` · `seat-limit-reached` · `already-assigned` ·
 *   `self-assignment-only` · `benefit-cancelled` · `membership-inactive` · `alternate-email-must-differ` ·
 *   `precondition-failed`.
 */
export async function assignBenefitSeat(
  deps: AppDeps,
  cmd: AssignSeatCommand,
): Promise<{ assignment: Assignment; etag: string }> {
  const partnerId = cmd.partner.id;
  const caller = { userId: cmd.user.id, roles: cmd.user.roles };
  const assignee = await deps.store.getUser(partnerId, cmd.userId);
  if (!assignee) {
    // Answer 403 before 404 so a caller without the role cannot probe which user ids exist.
    const benefit = await deps.store.getBenefit(partnerId, cmd.benefitId);
    if (!benefit) throw new DomainError('not-found', `Benefit ${cmd.benefitId} was not found.`);
    assertCan(caller, assignAction(benefit.value));
    throw new DomainError('not-found', `User ${cmd.userId} is not a user of this partner.`);
  }
  const now = deps.clock.now();
  const assignmentId = deps.newId();
  const saved = await deps.store.updateBenefit<Assignment>(
    partnerId,
    cmd.benefitId,
    (benefit) => {
      assertSeatAssignable(benefit);
      assertCanAssign(caller, benefit, cmd.userId);
      const out = assignSeat(benefit, {
        assignmentId,
        userId: cmd.userId,
        user: assignee.value,
        caller,
        alternateEmail: cmd.alternateEmail,
        now,
        membershipExpiresAt: cmd.partner.membership.expiresAt,
      });
      // docs/product.md §2 "Membership": assigning yourself a cloud subscription, or a first seat that activates
      // the benefit, needs an Active membership that has not ended.
      if (isSelfServiceSeat(benefit) || out.benefit.status !== benefit.status) {
        assertMembershipActive(cmd.partner, now);
      }
      return { value: out.benefit, result: out.assignment };
    },
    { ifMatch: cmd.ifMatch },
  );
  await audit(deps, {
    partnerId,
    caller: cmd.actor,
    action: 'benefit.assign',
    target: { type: 'benefit', id: cmd.benefitId },
    detail: { assignmentId, userId: cmd.userId, category: saved.value.category },
  });
  await tellAssignee(deps, cmd, assignee.value, saved.value, assignmentId);
  return { assignment: saved.result!, etag: saved.etag };
}

/** The email after an assignment: the Visual Studio welcome, or the technical contact's verification. */
async function tellAssignee(
  deps: AppDeps,
  cmd: AssignSeatCommand,
  assignee: User,
  benefit: { category: string; productName: string },
  assignmentId: string,
): Promise<void> {
  const locale = recipientLocale(assignee, cmd.partner);
  if (benefit.category === 'visualStudio') {
    const recipients = [{ address: assignee.accountEmail, displayName: assignee.displayName }];
    if (cmd.alternateEmail && cmd.alternateEmail.toLowerCase() !== assignee.accountEmail.toLowerCase()) {
      recipients.push({ address: cmd.alternateEmail, displayName: assignee.displayName });
    }
    await notify(deps, {
      kind: 'vsAssignment',
      locale,
      data: {
        recipientName: assignee.displayName,
        partnerName: cmd.partner.name,
        productName: benefit.productName,
        ...(cmd.message ? { message: cmd.message } : {}),
      },
      to: recipients,
      idempotencyKey: `vs-${assignmentId}`,
      partnerId: cmd.partner.id,
      log: cmd.log,
    });
  } else if (benefit.category === 'technical' && cmd.alternateEmail) {
    await startContactVerification(deps, {
      partner: cmd.partner,
      contact: 'technical',
      email: cmd.alternateEmail,
      recipientName: assignee.displayName,
      userId: assignee.id,
      locale,
      benefitId: cmd.benefitId,
      assignmentId,
      log: cmd.log ?? (() => undefined),
    });
  }
}

/** Input of {@link unassignBenefitSeat}. */
export interface UnassignSeatCommand extends PartnerCaller {
  benefitId: string;
  assignmentId: string;
  ifMatch?: string;
}

/**
 * Ends an assignment (frees the seat): a GlobalAdmin ends any; an assignee ends their own usage-based cloud
 * self-assignment. Reassigning is unassign then assign, any time (docs/product.md §3). Returns the new ETag.
 * @throws DomainError `not-found` · `forbidden` · `benefit-cancelled` · `precondition-failed`.
 */
export async function unassignBenefitSeat(
  deps: AppDeps,
  cmd: UnassignSeatCommand,
): Promise<{ etag: string }> {
  const now = deps.clock.now();
  const saved = await deps.store.updateBenefit(
    cmd.partner.id,
    cmd.benefitId,
    (benefit) => {
      const current = activeAssignments(benefit).find((a) => a.id === cmd.assignmentId);
      assertCanUnassign({ userId: cmd.user.id, roles: cmd.user.roles }, benefit, current?.userId);
      if (benefit.status === 'Cancelled')
        throw new DomainError('benefit-cancelled', 'The benefit is cancelled.');
      return { value: endAssignment(benefit, cmd.assignmentId, now) };
    },
    { ifMatch: cmd.ifMatch },
  );
  await audit(deps, {
    partnerId: cmd.partner.id,
    caller: cmd.actor,
    action: 'benefit.unassign',
    target: { type: 'benefit', id: cmd.benefitId },
    detail: { assignmentId: cmd.assignmentId },
  });
  return { etag: saved.etag };
}

/**
 * One assignment of a benefit, also an ended one (with `endedAt`): what the `Location` of an assignment points to.
 * Any admin role may read it, like the benefit that holds it.
 * @throws DomainError `not-found` (benefit or assignment).
 */
export async function getBenefitAssignment(
  deps: AppDeps,
  query: { partnerId: string; benefitId: string; assignmentId: string },
): Promise<Assignment> {
  const benefit = await deps.store.getBenefit(query.partnerId, query.benefitId);
  if (!benefit) throw new DomainError('not-found', `Benefit ${query.benefitId} was not found.`);
  const assignment = benefit.value.assignments.find((a) => a.id === query.assignmentId);
  if (!assignment) throw new DomainError('not-found', `Assignment ${query.assignmentId} was not found.`);
  return assignment;
}
