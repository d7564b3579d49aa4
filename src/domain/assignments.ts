/**
 * Seat rules: assigning and unassigning users to benefits (docs/product.md §3 "Seats", categories table;
 * docs/product.md §2).
 */
import { assertContactEmailDiffers } from './contacts';
import { DomainError } from './errors';
import { computeExpiresAt } from './expiry';
import type { Assignment, Benefit, Role, User } from './types';

/**
 * Throws when the benefit was cancelled (docs/product.md §4: a cancelled purchase cancels every benefit of
 * it).
 * @throws DomainError `benefit-cancelled`.
 */
export function assertNotCancelled(benefit: Pick<Benefit, 'status' | 'productName'>): void {
  if (benefit.status === 'Cancelled') {
    throw new DomainError('benefit-cancelled', `${benefit.productName} was cancelled.`);
  }
}

/** The assignments of `benefit` that have not ended (no `endedAt`). */
export function activeAssignments(benefit: Pick<Benefit, 'assignments'>): Assignment[] {
  return benefit.assignments.filter((a) => a.endedAt === undefined);
}

/** Input of `assignSeat`. */
export interface AssignSeatInput {
  /** Id of the new assignment (ids come from the caller; the domain has no randomness). */
  assignmentId: string;
  /** Id of the assignee; must equal `user.id`. */
  userId: string;
  /** The assignee, loaded by the caller; must belong to the benefit's partner. */
  user: User;
  /** Who is assigning: their user id and Partner Center roles. */
  caller: { userId: string; roles: readonly Role[] };
  /** Technical contact: required, must differ from `user.accountEmail`. Visual Studio: optional communication email. */
  alternateEmail?: string;
  now: Date;
  /**
   * The partner's membership end (ISO 8601). Required when the assignment activates the benefit (usage-based cloud,
   * first Visual Studio seat): it becomes `expiresAt` (docs/product.md §3).
   */
  membershipExpiresAt?: string;
}

const NOT_ASSIGNABLE = 'This benefit is not assigned to users.';

/**
 * Throws unless seats of `benefit` can be assigned at all: an assignable category, not cancelled, not expired
 * (checked before who may assign: the policy, src/app/policy.ts). Returns the kind of seat.
 * @throws DomainError `not-activatable` · `benefit-cancelled` · `benefit-not-active` (benefit `Expired`).
 */
export function assertSeatAssignable(benefit: Benefit): SeatKind {
  const kind = seatKind(benefit);
  if (kind === undefined) throw new DomainError('not-activatable', NOT_ASSIGNABLE);
  assertNotCancelled(benefit);
  if (benefit.status === 'Expired') {
    throw new DomainError('benefit-not-active', `${benefit.productName} has expired.`);
  }
  return kind;
}

/**
 * Assigns a seat of `benefit` to a user and returns the new benefit and assignment (no mutation)
 * (docs/product.md §3).
 *
 * - `visualStudio`: GlobalAdmin only (docs/product.md §2 "assign a benefit to an employee"); a user holds at
 *   most one active seat; seats are finite. The first assignment of a `NotActivated` benefit makes it
 *   `Active` with `activatedAt` = `now` and `expiresAt` = membership end (product decision).
 *   `alternateEmail`, if given, is kept as the communication email (product).
 * - `cloud`/`usageBased` (Azure): "assign yourself as a user" — the caller must hold GlobalAdmin or MpnPartnerAdmin
 *   and may only assign themself; one seat; the benefit becomes `Active` (`activatedAt` = `now`, `expiresAt` =
 *   membership end) unless it already is.
 * - `technical`: GlobalAdmin only; `alternateEmail` is required and must differ (case-insensitive, trimmed) from the
 *   user's account email (seeds, "Manage technical benefits"); one technical contact per benefit (to replace, unassign
 *   first). The status is unchanged: technical activation is the lifecycle orchestration
 *   (docs/product.md §6).
 * - `software`, `goToMarket`, `cloud`/`licenseBased`: not assigned to users.
 *
 * Who may assign (role, self-assignment only) is the policy's (src/app/policy.ts `assertCanAssign`), asked by the use
 * case between {@link assertSeatAssignable} and this function.
 * Check order: category, cancelled, expired, assignee (partner), input, already-assigned, seat limit.
 * @throws DomainError
 *   `not-activatable` (category not assignable) · `benefit-cancelled` · `benefit-not-active` (benefit `Expired`) ·
 *   `not-found` (user not of this partner) · `validation-failed` (`userId` ≠ `user.id`, missing
 *   `alternateEmail`) · `alternate-email-must-differ` · `already-assigned` ·
 *   `seat-limit-reached` · `internal-error` (`membershipExpiresAt` missing when the benefit becomes Active).
 */
export function assignSeat(
  benefit: Benefit,
  input: AssignSeatInput,
): { benefit: Benefit; assignment: Assignment } {
  const { user, caller, now } = input;
  const kind = assertSeatAssignable(benefit);

  if (user.partnerId !== benefit.partnerId) {
    throw new DomainError('not-found', 'The user is not a user of this partner.');
  }
  if (input.userId !== user.id) {
    throw new DomainError('validation-failed', 'userId does not match the user.', [
      { field: 'body.userId', message: 'must be the id of the user being assigned' },
    ]);
  }
  let alternateEmail: string | undefined = input.alternateEmail?.trim();
  if (kind === 'technical') {
    if (alternateEmail === undefined || alternateEmail === '') {
      throw new DomainError('validation-failed', 'A technical contact needs an alternate email address.', [
        {
          field: 'body.alternateEmail',
          message: "required: an email address different from the user's account email",
        },
      ]);
    }
    assertContactEmailDiffers(user, alternateEmail, 'body.alternateEmail');
  } else if (kind === 'usageBased' || alternateEmail === '') {
    alternateEmail = undefined;
  }

  const active = activeAssignments(benefit);
  if (active.some((a) => a.userId === user.id)) {
    throw new DomainError(
      'already-assigned',
      `${user.displayName} already holds a seat of ${benefit.productName}.`,
    );
  }
  const seats = kind === 'visualStudio' ? (benefit.seats ?? 0) : 1;
  if (active.length >= seats) {
    throw new DomainError(
      'seat-limit-reached',
      kind === 'technical'
        ? 'This benefit already has a technical contact; unassign them first.'
        : `All ${seats} seat(s) of ${benefit.productName} are taken; unassign a user first.`,
    );
  }

  const assignment: Assignment = {
    id: input.assignmentId,
    userId: user.id,
    assignedAt: now.toISOString(),
    assignedBy: caller.userId,
  };
  if (alternateEmail !== undefined) assignment.alternateEmail = alternateEmail;

  let next: Benefit = { ...benefit, assignments: [...benefit.assignments, assignment] };
  if (kind !== 'technical' && benefit.status !== 'Active') {
    if (input.membershipExpiresAt === undefined) {
      throw new DomainError('internal-error', 'membershipExpiresAt is required to activate this benefit.');
    }
    next = {
      ...next,
      status: 'Active',
      activatedAt: now.toISOString(),
      expiresAt: computeExpiresAt(benefit, now, input.membershipExpiresAt),
    };
  }
  return { benefit: next, assignment };
}

/**
 * Ends the active assignment `assignmentId` of `benefit` (`endedAt` = `now`) and returns the new benefit (no
 * mutation). The ended assignment is kept for audit. Reassigning = unassign then assign, any time (seeds, "Manage
 * Visual Studio subscriptions"). The benefit's status is unchanged (product).
 * @throws DomainError `not-found` when no active assignment has that id.
 */
export function endAssignment(benefit: Benefit, assignmentId: string, now: Date): Benefit {
  const index = benefit.assignments.findIndex((a) => a.id === assignmentId && a.endedAt === undefined);
  if (index < 0) throw new DomainError('not-found', `No active assignment ${assignmentId} on this benefit.`);
  const assignments = benefit.assignments.map((a, i) =>
    i === index ? { ...a, endedAt: now.toISOString() } : a,
  );
  return { ...benefit, assignments };
}

/**
 * The assignments of a benefit with every active one ended at `endedAt` (ISO 8601); ended ones keep their own
 * end. Used when the whole benefit ends: expiry (docs/product.md §8) and cancellation (docs/product.md §4).
 * No mutation.
 */
export function endAllAssignments(assignments: readonly Assignment[], endedAt: string): Assignment[] {
  return assignments.map((a) => (a.endedAt === undefined ? { ...a, endedAt } : a));
}

export type SeatKind = 'visualStudio' | 'usageBased' | 'technical';

function seatKind(benefit: Pick<Benefit, 'category' | 'cloudKind'>): SeatKind | undefined {
  switch (benefit.category) {
    case 'visualStudio':
      return 'visualStudio';
    case 'technical':
      return 'technical';
    case 'cloud':
      return benefit.cloudKind === 'usageBased' ? 'usageBased' : undefined;
    default:
      return undefined;
  }
}
