/**
 * Seats (docs/product.md §3): `POST …/benefits/{benefitId}/assignments`, `GET` and
 * `DELETE …/assignments/{assignmentId}`. The seat invariant lives on the one benefit document, guarded by its
 * ETag with a bounded, jittered retry on 412, so concurrent assignments never over-allocate. One document
 * needs no batch, and none is relied on: the embedded Cosmos server applies batches without rollback
 * (docs/platform-notes.md; docs/decisions.md "Seats").
 */
import { randomBytes } from 'node:crypto';
import { activeAssignments, assignSeat, endAssignment } from '../../domain/rules';
import { DomainError } from '../../domain/errors';
import { assertAllowed } from '../../domain/permissions';
import { assertMembershipActive } from '../../domain/provisioning';
import { AssignBody, AssignmentSchema } from '../../domain/schemas';
import type { Assignment } from '../../domain/types';
import { recipientLocale } from '../../email/locale';
import { audit } from '../audit';
import { startContactVerification } from '../contactOnboarding';
import { notify } from '../notify';
import { defineRoute, ifMatch } from '../route';
import { AssignmentParams, BenefitParams } from './params';

/**
 * `POST /api/partners/{partnerId}/benefits/{benefitId}/assignments` `{ userId, alternateEmail?, message? }`.
 * Visual Studio: GlobalAdmin assigns an existing user; usage-based cloud: the caller assigns themself;
 * technical: a contact with an alternate email (verified by email, docs/product.md §7).
 * Errors: 404 `not-found` (benefit or user), 409 `seat-limit-reached` / `already-assigned` /
 * `self-assignment-only` / `benefit-cancelled` / `membership-inactive` (self-assignment, or a seat that activates), 400 `alternate-email-must-differ`, 412 `precondition-failed`.
 */
export const assignBenefit = defineRoute({
  name: 'assignBenefit',
  method: 'POST',
  route: 'partners/{partnerId}/benefits/{benefitId}/assignments',
  summary: 'Assign a seat of a benefit to a user (Visual Studio, Azure self-assignment, technical contact)',
  tags: ['benefits'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: BenefitParams,
  body: AssignBody,
  responses: { 201: { description: 'The new assignment', schema: AssignmentSchema } },
  handle: async ({ services, params, body, user: caller, caller: token, partner, request, context }) => {
    const assignee = await services.store.getUser(params.partnerId, body.userId);
    if (!assignee) {
      // Answer 403 before 404 so a caller without the role cannot probe which user ids exist.
      const benefit = await services.store.getBenefit(params.partnerId, params.benefitId);
      if (!benefit) throw new DomainError('not-found', `Benefit ${params.benefitId} was not found.`);
      const selfService = benefit.value.category === 'cloud' && benefit.value.cloudKind === 'usageBased';
      assertAllowed(caller.roles, selfService ? 'selfAssignCloud' : 'assignBenefit');
      throw new DomainError('not-found', `User ${body.userId} is not a user of this partner.`);
    }
    const now = services.clock.now();
    const assignmentId = services.newId();
    const saved = await services.store.updateBenefit<Assignment>(
      params.partnerId,
      params.benefitId,
      (benefit) => {
        const out = assignSeat(benefit, {
          assignmentId,
          userId: body.userId,
          user: assignee.value,
          caller: { userId: caller.id, roles: caller.roles },
          alternateEmail: body.alternateEmail,
          now,
          membershipExpiresAt: partner.value.membership.expiresAt,
        });
        // docs/product.md §2 "Membership": assigning yourself a cloud subscription, or a first seat that
        // activates the benefit, needs an Active membership that has not ended.
        const selfService = benefit.category === 'cloud' && benefit.cloudKind === 'usageBased';
        if (selfService || out.benefit.status !== benefit.status) assertMembershipActive(partner.value, now);
        return { value: out.benefit, result: out.assignment };
      },
      { ifMatch: ifMatch(request) },
    );
    const assignment = saved.result!;
    await audit(services, {
      partnerId: params.partnerId,
      caller: token,
      action: 'benefit.assign',
      target: { type: 'benefit', id: params.benefitId },
      detail: { assignmentId, userId: body.userId, category: saved.value.category },
    });
    const log = (m: string) => context.warn(m);
    if (saved.value.category === 'visualStudio') {
      const recipients = [{ address: assignee.value.accountEmail, displayName: assignee.value.displayName }];
      if (
        body.alternateEmail &&
        body.alternateEmail.toLowerCase() !== assignee.value.accountEmail.toLowerCase()
      ) {
        recipients.push({ address: body.alternateEmail, displayName: assignee.value.displayName });
      }
      await notify(services, {
        kind: 'vsAssignment',
        locale: recipientLocale(assignee.value, partner.value),
        data: {
          recipientName: assignee.value.displayName,
          partnerName: partner.value.name,
          productName: saved.value.productName,
          ...(body.message ? { message: body.message } : {}),
        },
        to: recipients,
        idempotencyKey: `vs-${assignmentId}`,
        partnerId: params.partnerId,
        log,
      });
    } else if (saved.value.category === 'technical' && body.alternateEmail) {
      await startContactVerification(services, {
        partner: partner.value,
        contact: 'technical',
        email: body.alternateEmail,
        recipientName: assignee.value.displayName,
        userId: assignee.value.id,
        locale: recipientLocale(assignee.value, partner.value),
        benefitId: params.benefitId,
        assignmentId,
        log,
      });
    }
    return {
      status: 201,
      body: assignment,
      etag: saved.etag,
      headers: {
        Location: `/api/partners/${encodeURIComponent(params.partnerId)}/benefits/${params.benefitId}/assignments/${assignmentId}`,
      },
    };
  },
});

/**
 * `DELETE /api/partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}` → 204.
 * A GlobalAdmin may end any assignment; an assignee may end their own Azure self-assignment.
 * Reassigning is unassign then assign, any time (seeds, "Manage Visual Studio subscriptions").
 */
export const unassignBenefit = defineRoute({
  name: 'unassignBenefit',
  method: 'DELETE',
  route: 'partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}',
  summary: 'End an assignment (frees the seat)',
  tags: ['benefits'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: AssignmentParams,
  handle: async ({ services, params, user: caller, caller: token, request }) => {
    const now = services.clock.now();
    const saved = await services.store.updateBenefit(
      params.partnerId,
      params.benefitId,
      (benefit) => {
        const current = activeAssignments(benefit).find((a) => a.id === params.assignmentId);
        const own =
          current?.userId === caller.id && benefit.category === 'cloud' && benefit.cloudKind === 'usageBased';
        if (!caller.roles.includes('GlobalAdmin') && !own) {
          throw new DomainError('forbidden', 'Only a GlobalAdmin can remove users from this benefit.');
        }
        if (benefit.status === 'Cancelled')
          throw new DomainError('benefit-cancelled', 'The benefit is cancelled.');
        return { value: endAssignment(benefit, params.assignmentId, now) };
      },
      { ifMatch: ifMatch(request) },
    );
    await audit(services, {
      partnerId: params.partnerId,
      caller: token,
      action: 'benefit.unassign',
      target: { type: 'benefit', id: params.benefitId },
      detail: { assignmentId: params.assignmentId },
    });
    return { status: 204, etag: saved.etag, body: undefined, headers: {} };
  },
});

/**
 * `GET /api/partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}` → 200 the assignment (also an
 * ended one, with `endedAt`): what the `Location` of `POST …/assignments` points to. Any admin role may read it,
 * like the benefit that holds it. Errors: 404 `not-found` (benefit or assignment).
 */
export const getAssignment = defineRoute({
  name: 'getAssignment',
  method: 'GET',
  route: 'partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}',
  summary: 'Read one assignment of a benefit',
  tags: ['benefits'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: AssignmentParams,
  responses: { 200: { description: 'The assignment', schema: AssignmentSchema } },
  handle: async ({ services, params }) => {
    const benefit = await services.store.getBenefit(params.partnerId, params.benefitId);
    if (!benefit) throw new DomainError('not-found', `Benefit ${params.benefitId} was not found.`);
    const assignment = benefit.value.assignments.find((a) => a.id === params.assignmentId);
    if (!assignment) throw new DomainError('not-found', `Assignment ${params.assignmentId} was not found.`);
    return { status: 200, body: assignment };
  },
});
/** Random product keys in the familiar 5×5 form (unused characters removed to avoid confusion). */
export function randomProductKey(): string {
  const alphabet = 'BCDFGHJKMPQRTVWXY2346789';
  const bytes = randomBytes(25);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
