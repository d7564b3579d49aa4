/**
 * Domain vocabulary and zod schemas of the partner-benefits service (docs/product.md §1–§5, §9).
 * Pure: no Azure imports. Field names are part of the HTTP contract (docs/product.md §9).
 */
import * as z from 'zod';

/** The four Partner Center roles a partner admin may hold (docs/product.md §1). */
export const ROLES = ['GlobalAdmin', 'UserAdmin', 'AdminAgent', 'MpnPartnerAdmin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** App role carried in the token `roles` claim by the program operator's back office (docs/product.md §1). */
export const OPERATOR_APP_ROLE = 'Program.Operator';

/** Partner membership levels, lowest first (docs/product.md §3). */
export const PARTNER_LEVELS = ['ActionPack', 'Silver', 'Gold'] as const;
export const PartnerLevelSchema = z.enum(PARTNER_LEVELS);
export type PartnerLevel = z.infer<typeof PartnerLevelSchema>;

/** Where the partner's membership is managed (docs/product.md §2 "PMC partners"). */
export const ManagedInSchema = z.enum(['PartnerCenter', 'PMC']);
export type ManagedIn = z.infer<typeof ManagedInSchema>;

export const MembershipStatusSchema = z.enum(['Active', 'Expired', 'Suspended']);
export type MembershipStatus = z.infer<typeof MembershipStatusSchema>;

/** Locales of the source documents; `en-US` is default and fallback (docs/product.md §7). */
export const LOCALES = ['en-US', 'zh-TW', 'zh-CN', 'ru-RU'] as const;
export const LocaleSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof LocaleSchema>;

/** Benefit categories (docs/product.md §3 table). */
export const BENEFIT_CATEGORIES = ['software', 'cloud', 'visualStudio', 'technical', 'goToMarket'] as const;
export const BenefitCategorySchema = z.enum(BENEFIT_CATEGORIES);
export type BenefitCategory = z.infer<typeof BenefitCategorySchema>;

/**
 * Benefit lifecycle (docs/product.md §3): NotActivated → Pending → Active → Expired; ActivationFailed;
 * Cancelled.
 */
const BENEFIT_STATUSES = [
  'NotActivated',
  'Pending',
  'Active',
  'Expired',
  'ActivationFailed',
  'Cancelled',
] as const;
export const BenefitStatusSchema = z.enum(BENEFIT_STATUSES);
export type BenefitStatus = z.infer<typeof BenefitStatusSchema>;

/**
 * Cloud benefits are either usage-based (Azure; self-assign) or license-based (Get keys)
 * (docs/product.md §3).
 */
export const CloudKindSchema = z.enum(['usageBased', 'licenseBased']);
export type CloudKind = z.infer<typeof CloudKindSchema>;

/**
 * Kinds of technical benefit (2020-09 seed, "Manage technical benefits"):
 * `signatureSupport` — Signature Product Support for cloud products, Gold/Silver only;
 * `productSupport` — Microsoft Product support incidents for on-premises products;
 * `presales` — Technical Presales and Deployment Services (advisory hours).
 */
export const TechnicalKindSchema = z.enum(['signatureSupport', 'productSupport', 'presales']);
export type TechnicalKind = z.infer<typeof TechnicalKindSchema>;

/** Go-To-Market offer types named by the 2020-09 seed. */
export const OfferTypeSchema = z.enum(['Silver Core', 'Gold Core', 'ISV Co-sell ready']);
export type OfferType = z.infer<typeof OfferTypeSchema>;

/**
 * One entitlement a package provisions (docs/product.md §3). `levels` lists the partner levels that receive
 * it (e.g. Signature support: Silver and Gold only). `termMonths` applies to Go-To-Market offers
 * (default 12). `seats` is finite for Visual Studio and usage-based cloud (1).
 */
export interface CatalogItem {
  id: string;
  category: BenefitCategory;
  productName: string;
  description: string;
  levels: PartnerLevel[];
  cloudKind?: CloudKind;
  technicalKind?: TechnicalKind;
  offerType?: OfferType;
  seats?: number;
  incidents?: number;
  advisoryHours?: number;
  /** Languages offered by "Get keys" (BCP 47, e.g. `en-US`, `zh-TW`). */
  languages?: string[];
  /** Operating-system types offered by "Get keys" (e.g. `Windows x64`). */
  operatingSystems?: string[];
  /**
   * Go-To-Market offer term, months from activation (docs/product.md §3: 12 unless the catalog says
   * otherwise).
   */
  termMonths?: number;
  /**
   * The product's special instructions (docs/product.md §3: shown with its keys, "follow any special
   * instructions listed"), in English like the product names.
   */
  instructions: string;
  /** Where the benefit is managed once active, e.g. the Azure portal for a usage-based Azure subscription. */
  portalUrl?: string;
}

/** A benefit package a partner buys (docs/product.md §3, ids in §10). */
export interface CatalogPackage {
  id: string;
  name: string;
  description: string;
  /** Levels that may buy this package; others get `not-eligible`. */
  eligibleLevels: PartnerLevel[];
  items: CatalogItem[];
}

export const MarketingContactStatusSchema = z.enum(['PendingVerification', 'Verified']);

/** Marketing contact (docs/product.md §5): one per partner. */
export interface MarketingContact {
  userId: string;
  email: string;
  phone: string;
  preferredLanguage: Locale;
  status: 'PendingVerification' | 'Verified';
  updatedAt: string;
  verifiedAt?: string;
}

/** A partner organization (tenant) (docs/product.md §9 Partner). */
export interface Partner {
  id: string;
  name: string;
  level: PartnerLevel;
  managedIn: ManagedIn;
  membership: { status: MembershipStatus; expiresAt: string };
  marketingContact?: MarketingContact;
  /** The language of emails to the partner's people when they have none of their own (docs/product.md §7). */
  preferredLanguage?: Locale;
  createdAt: string;
  /**
   * INTERNAL — when the next membership notice is due (ISO 8601, docs/product.md §12): derived from
   * `membership` and `notices` by `withMembershipNoticeSchedule` on every write, absent when none is owed.
   * The expiry timer queries it (an indexed range), so its cost grows with what is due. Never in responses.
   */
  nextNoticeAt?: string;
  /**
   * INTERNAL — which membership notices were settled (docs/product.md §12); see {@link ExpiryReminderState}.
   */
  notices?: { membershipExpiry?: ExpiryReminderState };
  /**
   * INTERNAL — never returned by the API. The ids of the users holding GlobalAdmin: the one document that guards
   * "the last GlobalAdmin cannot be removed or demoted" (docs/product.md §2) under concurrency, since every
   * removal of the role is a conditional (ETag) write of this list. Absent on older documents: computed from
   * the users on first use.
   */
  globalAdminIds?: string[];
}

/**
 * Which "before it runs out" reminders of one end date were settled (sent, given up, or superseded): those of
 * `expiresAt` with `daysBefore` ≥ `settledDaysBefore`. A new `expiresAt` (a renewal) starts afresh
 * (docs/product.md §12).
 */
export interface ExpiryReminderState {
  /** The end date (ISO 8601) the settled reminders were about. */
  expiresAt: string;
  /** The smallest `daysBefore` threshold settled for it (e.g. 30 once the 30-day reminder went out). */
  settledDaysBefore: number;
}

/**
 * The last-free-seat notice of a seat-limited benefit (docs/product.md §12: "once until seats free up
 * again"). An `episode` opens when the benefit reaches its last free seat and closes when two or more seats
 * are free again; each episode owes one notice to the global admins.
 */
export interface LastSeatState {
  /** 1, 2, …: the number of times the benefit reached its last free seat. */
  episode: number;
  /** When this episode began (ISO 8601): the assignment that took the second-to-last free seat. */
  reachedAt: string;
  /** True while at most one seat is free. */
  open: boolean;
  /** True once this episode's notice was sent or given up. */
  settled: boolean;
}

/** A user of a partner; `id` equals the identity provider's `objectId` (docs/decisions.md). */
export interface User {
  id: string;
  partnerId: string;
  objectId: string;
  displayName: string;
  accountEmail: string;
  roles: Role[];
  /** The language of emails to this user (docs/product.md §7); else the partner's, else en-US. */
  preferredLanguage?: Locale;
  createdAt: string;
}

export const PurchaseStatusSchema = z.enum(['Active', 'Cancelled']);

/** A purchase of a package (docs/product.md §9 Purchase). */
export interface Purchase {
  id: string;
  partnerId: string;
  packageId: string;
  purchasedAt: string;
  purchasedBy: string;
  status: 'Active' | 'Cancelled';
  /** Benefit ids provisioned by this purchase. */
  benefitIds: string[];
  /** Set on the first software key reveal of any benefit of this purchase (docs/product.md §4). */
  softwareKeysRevealedAt?: string;
  refund?: { amount?: number; refundedAt: string; serviceRequestId: string };
  cancelledAt?: string;
  /**
   * Who filed the cancellation and why, kept so an interrupted cancellation can be completed
   * (docs/product.md §4).
   */
  cancellation?: { requestedBy: string; reason: string };
  /**
   * Set when this purchase renewed the membership (docs/product.md §12): the membership's end before and
   * after.
   */
  renewal?: { previousExpiresAt: string; expiresAt: string };
}

/** A seat held by a user (docs/product.md §3). `endedAt` marks an ended assignment (kept for audit). */
export interface Assignment {
  id: string;
  userId: string;
  alternateEmail?: string;
  /**
   * When the technical contact's alternate email was verified by its token (ISO 8601; docs/product.md §5).
   */
  alternateEmailVerifiedAt?: string;
  assignedAt: string;
  assignedBy: string;
  endedAt?: string;
}

export const ActivationStatusSchema = z.enum(['Pending', 'Active', 'ActivationFailed', 'Cancelled']);

/** The activation of a technical or Go-To-Market benefit (docs/product.md §6, §9 Activation). */
export interface ActivationState {
  instanceId: string;
  attempt: number;
  status: 'Pending' | 'Active' | 'ActivationFailed' | 'Cancelled';
  requestedAt: string;
  requestedBy: string;
  activatedAt?: string;
  expiresAt?: string;
  failure?: { code: string; detail: string };
}

/** A benefit (entitlement) provisioned by a purchase (docs/product.md §3, §9 Benefit). */
export interface Benefit {
  id: string;
  partnerId: string;
  purchaseId: string;
  packageId: string;
  catalogItemId: string;
  category: BenefitCategory;
  productName: string;
  offerType?: OfferType;
  cloudKind?: CloudKind;
  technicalKind?: TechnicalKind;
  status: BenefitStatus;
  seats?: number;
  assignments: Assignment[];
  languages?: string[];
  operatingSystems?: string[];
  activatedAt?: string;
  expiresAt?: string;
  accessId?: string;
  contractId?: string;
  incidentsRemaining?: number;
  advisoryHoursRemaining?: number;
  activation?: ActivationState;
  createdAt: string;
  /**
   * INTERNAL — never returned by the API. Product keys revealed by "Get keys", keyed by
   * `${language}|${operatingSystem}`, so a repeated reveal returns the same key (docs/product.md §3).
   * Strip with `toPublicBenefit` before any list/get response.
   */
  secretKeys?: Record<string, string>;
  /**
   * INTERNAL — the expiry notice this benefit is owed (docs/product.md §8); see {@link ExpiryNoticeState}.
   */
  expiryNotice?: ExpiryNoticeState;
  /**
   * INTERNAL — when the next notice before this benefit runs out is due (ISO 8601, docs/product.md §12):
   * derived from `status`, `expiresAt`, `seats`, `assignments` and `notices` by `withBenefitNoticeSchedule`
   * on every write, absent when none is owed. The expiry timer queries it (an indexed range). Never in
   * responses.
   */
  nextNoticeAt?: string;
  /**
   * INTERNAL — the state of this benefit's notices before it runs out (docs/product.md §12). Never in
   * responses.
   */
  notices?: { expiry?: ExpiryReminderState; lastSeat?: LastSeatState };
}

/**
 * The expiry notice of a benefit, kept on the benefit itself so that it cannot be lost (docs/product.md §8:
 * one notice per expired benefit). Written `Pending` by the same conditional write that expires the benefit;
 * `Sent` once handed to the email provider; `Failed` after the last attempt. A `Pending` notice left by a
 * failed send or a crash is retried by a later sweep once `updatedAt` is older than the retry lease.
 */
export interface ExpiryNoticeState {
  status: 'Pending' | 'Sent' | 'Failed';
  /** Send attempts made so far. */
  attempts: number;
  /** When the sweep expired the benefit (ISO 8601): assignments ended then are the notice's recipients. */
  expiredAt: string;
  /** Last change (ISO 8601); a sweep claims a retry by moving it to its own "now". */
  updatedAt: string;
}

/**
 * Product area of a support incident (2020-09 seed, "Manage technical benefits"): Signature support is for
 * `cloud` products; Access ID and Contract ID are required for `onPremises`, `azureNonCsp` and `dynamics`.
 */
export const PRODUCT_AREAS = ['cloud', 'onPremises', 'azureNonCsp', 'dynamics'] as const;
export const ProductAreaSchema = z.enum(PRODUCT_AREAS);
export type ProductArea = z.infer<typeof ProductAreaSchema>;

export const ServiceRequestTypeSchema = z.enum(['Cancellation', 'AdvisoryHours', 'SupportIncident']);
export type ServiceRequestType = z.infer<typeof ServiceRequestTypeSchema>;

/** A service request (docs/product.md §4, §5). */
export interface ServiceRequest {
  id: string;
  partnerId: string;
  type: ServiceRequestType;
  status: 'Open' | 'Completed' | 'Rejected';
  createdAt: string;
  createdBy: string;
  reason?: string;
  details: Record<string, unknown>;
}

/** An audit event; every mutation writes one (docs/product.md §9). */
export interface AuditEvent {
  id: string;
  partnerId: string;
  at: string;
  actor: { objectId: string; kind: 'user' | 'operator' | 'system' };
  action: string;
  target: { type: string; id: string };
  outcome: 'Succeeded' | 'Rejected';
  detail?: Record<string, unknown>;
}
