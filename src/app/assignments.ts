/**
 * Seats (docs/product.md §3): assign a seat of a benefit to a user, end an assignment. The seat invariant lives on
 * the one benefit document, guarded by its ETag with a bounded retry on 412 (the store), so concurrent
 * assignments never over-allocate. Who may assign is the policy's (src/app/policy.ts).
 */
import { DomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import { recipientLocale } from '../domain/recipientLocale';
import { assertSeatAssignable, assignSeat, activeAssignments, endAssignment } from '../domain/rules';
import type { Assignment, Benefit, User } from '../domain/types';
import { issueContactVerification } from './contactOnboarding';
import { etagMatches } from './etag';
import { assertCan, assertCanAssign, assertCanUnassign, assignAction, isSelfServiceSeat } from './policy';
import type { AppDeps, PartnerCaller, Versioned } from './ports';
import { runUnitOfWork, type OwedEmail } from './unitOfWork';

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
 * One unit of work: the benefit (conditional on its ETag; re-read and decided again on a concurrent change), the
 * audit event `benefit.assign` and the email owed (src/app/unitOfWork.ts). Round trips: the assignee, the benefit,
 * one batch (+ the token record of a technical contact).
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
  // The technical contact's token is issued once, whatever the number of attempts (./contactOnboarding.ts).
  let verification: Promise<OwedEmail> | undefined;
  const { result, etags } = await runUnitOfWork(
    deps,
    partnerId,
    async (uow) => {
      const current = await readBenefitFor(deps, partnerId, cmd.benefitId, cmd.ifMatch);
      const benefit = current.value;
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
      uow.replace('benefit', current, out.benefit);
      uow.audit({
        caller: cmd.actor,
        action: 'benefit.assign',
        target: { type: 'benefit', id: cmd.benefitId },
        detail: { assignmentId, userId: cmd.userId, category: benefit.category },
      });
      const email = assigneeEmail(cmd, assignee.value, benefit, assignmentId);
      if (email) uow.email(email);
      else if (benefit.category === 'technical' && cmd.alternateEmail) {
        verification ??= issueContactVerification(deps, {
          partner: cmd.partner,
          contact: 'technical',
          email: cmd.alternateEmail,
          recipientName: assignee.value.displayName,
          userId: assignee.value.id,
          locale: recipientLocale(assignee.value, cmd.partner),
          benefitId: cmd.benefitId,
          assignmentId,
        });
        uow.email(await verification);
      }
      return out.assignment;
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  return { assignment: result, etag: etags[cmd.benefitId] };
}

/**
 * A benefit read for a unit of work, with its ETag.
 * @throws DomainError `not-found` when it does not exist; `precondition-failed` when `ifMatch` (a client's
 *   If-Match) names another version.
 */
async function readBenefitFor(
  deps: Pick<AppDeps, 'store'>,
  partnerId: string,
  benefitId: string,
  ifMatch?: string,
): Promise<Versioned<Benefit>> {
  const current = await deps.store.getBenefit(partnerId, benefitId);
  if (!current) throw new DomainError('not-found', `Benefit ${benefitId} does not exist`);
  if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) {
    throw new DomainError(
      'precondition-failed',
      `If-Match does not match the current ETag of benefit ${benefitId}`,
    );
  }
  return current;
}

/** The Visual Studio welcome owed to the assignee (docs/product.md §7), or undefined for other benefits. */
function assigneeEmail(
  cmd: AssignSeatCommand,
  assignee: User,
  benefit: { category: string; productName: string },
  assignmentId: string,
): OwedEmail<'vsAssignment'> | undefined {
  if (benefit.category !== 'visualStudio') return undefined;
  const recipients = [{ address: assignee.accountEmail, displayName: assignee.displayName }];
  if (cmd.alternateEmail && cmd.alternateEmail.toLowerCase() !== assignee.accountEmail.toLowerCase()) {
    recipients.push({ address: cmd.alternateEmail, displayName: assignee.displayName });
  }
  return {
    kind: 'vsAssignment',
    locale: recipientLocale(assignee, cmd.partner),
    data: {
      recipientName: assignee.displayName,
      partnerName: cmd.partner.name,
      productName: benefit.productName,
      ...(cmd.message ? { message: cmd.message } : {}),
    },
    to: recipients,
    idempotencyKey: `vs-${assignmentId}`,
  };
}

/** Input of {@link unassignBenefitSeat}. */
export interface UnassignSeatCommand extends PartnerCaller {
  benefitId: string;
  assignmentId: string;
  ifMatch?: string;
}

/**
 * Ends an assignment (frees the seat): a GlobalAdmin ends any; an assignee ends their own usage-based cloud
 * self-assignment. Reassigning is unassign then assign, any time (docs/product.md §3). One unit of work: the
 * benefit and the audit event `benefit.unassign`. Returns the new ETag.
 * @throws DomainError `not-found` · `forbidden` · `benefit-cancelled` · `precondition-failed`.
 */
export async function unassignBenefitSeat(
  deps: AppDeps,
  cmd: UnassignSeatCommand,
): Promise<{ etag: string }> {
  const now = deps.clock.now();
  const { etags } = await runUnitOfWork(
    deps,
    cmd.partner.id,
    async (uow) => {
      const current = await readBenefitFor(deps, cmd.partner.id, cmd.benefitId, cmd.ifMatch);
      const benefit = current.value;
      const held = activeAssignments(benefit).find((a) => a.id === cmd.assignmentId);
      assertCanUnassign({ userId: cmd.user.id, roles: cmd.user.roles }, benefit, held?.userId);
      if (benefit.status === 'Cancelled')
        throw new DomainError('benefit-cancelled', 'The benefit is cancelled.');
      uow.replace('benefit', current, endAssignment(benefit, cmd.assignmentId, now));
      uow.audit({
        caller: cmd.actor,
        action: 'benefit.unassign',
        target: { type: 'benefit', id: cmd.benefitId },
        detail: { assignmentId: cmd.assignmentId },
      });
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  return { etag: etags[cmd.benefitId] };
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
