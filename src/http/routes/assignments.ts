/**
 * Seats (docs/product.md §3): `POST …/benefits/{benefitId}/assignments`, `GET` and `DELETE …/assignments/{assignmentId}`;
 * thin adapters of the use cases in src/app/assignments.ts.
 */
import { assignBenefitSeat, getBenefitAssignment, unassignBenefitSeat } from '../../app/assignments';
import { AssignBody, AssignmentSchema } from '../../domain/schemas';
import { defineRoute, ifMatch, partnerCaller } from '../route';
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
  access: { kind: 'partner', actions: ['assignBenefit', 'selfAssignCloud'], benefits: true },
  params: BenefitParams,
  body: AssignBody,
  responses: { 201: { description: 'The new assignment', schema: AssignmentSchema } },
  handle: async (input) => {
    const { params, body, request, context } = input;
    const { assignment, etag } = await assignBenefitSeat(input.services, {
      ...partnerCaller(input),
      benefitId: params.benefitId,
      userId: body.userId,
      alternateEmail: body.alternateEmail,
      message: body.message,
      ifMatch: ifMatch(request),
      log: (m) => context.warn(m),
    });
    const location = `/api/partners/${encodeURIComponent(params.partnerId)}/benefits/${params.benefitId}/assignments/${assignment.id}`;
    return { status: 201, body: assignment, etag, headers: { Location: location } };
  },
});

/**
 * `DELETE /api/partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}` → 204.
 * A GlobalAdmin may end any assignment; an assignee may end their own Azure self-assignment.
 */
export const unassignBenefit = defineRoute({
  name: 'unassignBenefit',
  method: 'DELETE',
  route: 'partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}',
  summary: 'End an assignment (frees the seat)',
  tags: ['benefits'],
  access: { kind: 'partner', actions: ['assignBenefit', 'selfAssignCloud'], benefits: true },
  params: AssignmentParams,
  handle: async (input) => {
    const { params, request } = input;
    const { etag } = await unassignBenefitSeat(input.services, {
      ...partnerCaller(input),
      benefitId: params.benefitId,
      assignmentId: params.assignmentId,
      ifMatch: ifMatch(request),
    });
    return { status: 204, etag, body: undefined, headers: {} };
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
  handle: async ({ services, params }) => ({
    status: 200,
    body: await getBenefitAssignment(services, params),
  }),
});
