/**
 * The pure rules the HTTP layer calls (docs/product.md §3–§5), gathered in one import. Each returns a new
 * object (no mutation) or throws a DomainError. Implementations live in the modules re-exported here.
 */
export {
  activeAssignments,
  assertNotCancelled,
  assignSeat,
  assertSeatAssignable,
  endAllAssignments,
  endAssignment,
  type AssignSeatInput,
} from './assignments';
export {
  DEFAULT_DOWNLOAD_BASE_URL,
  downloadLink,
  hasKeys,
  revealKeys,
  secretKeyId,
  toPublicBenefit,
  type DownloadLink,
  type RevealKeysInput,
  type RevealKeysResult,
  type RevealedKey,
} from './keys';
export { computeExpiresAt, toUtcIso } from './expiry';
export {
  REFUND_WINDOW,
  assertPurchaseActive,
  cancellability,
  type CancellableReason,
  recordKeyReveal,
  refundEligibility,
  type RefundEligibility,
} from './refunds';
export {
  AREAS_NEEDING_ACCESS_IDS,
  consumeAdvisoryHours,
  consumeIncident,
  type ConsumeIncidentInput,
  type ConsumeIncidentResult,
} from './serviceRequests';
export {
  MarketingContactInputSchema,
  PhoneE164Schema,
  assertContactEmailDiffers,
  normalizeEmail,
  verifyTechnicalContact,
  type MarketingContactInput,
} from './contacts';
export { assertCanManageUserHolding, assertCanSetRoles, grantableRoles, nextGlobalAdmins } from './users';
