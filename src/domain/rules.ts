/**
 * The pure rules the HTTP layer calls (docs/product.md §3–§5), gathered in one import. Each returns a new
 * object (no mutation) or throws a DomainError. Implementations live in the modules re-exported here.
 */
export {
  activeAssignments,
  assertSeatAssignable,
  assignSeat,
  endAllAssignments,
  endAssignment,
} from './assignments';
export { revealKeys, toPublicBenefit } from './keys';
export { computeExpiresAt } from './expiry';
export {
  assertPurchaseActive,
  cancellability,
  recordKeyReveal,
  refundEligibility,
  type RefundEligibility,
} from './refunds';
export { consumeAdvisoryHours, consumeIncident } from './serviceRequests';
export { assertContactEmailDiffers, normalizeEmail, verifyTechnicalContact } from './contacts';
