/**
 * zod schemas of the HTTP contract (docs/product.md §9): request bodies/queries (strict: unknown keys are
 * rejected, so bad input never writes anything) and response shapes for the OpenAPI 3.1 document (named with
 * `.meta({ id })`, which
 * @asteasolutions/zod-to-openapi reads). Field names follow docs/product.md §9 and `types.ts`.
 */
import * as z from 'zod';
import { MarketingContactInputSchema } from './contacts';
import { IdSchema } from './ids';
import {
  ActivationStatusSchema,
  BenefitCategorySchema,
  BenefitStatusSchema,
  CloudKindSchema,
  LocaleSchema,
  ManagedInSchema,
  MarketingContactStatusSchema,
  MembershipStatusSchema,
  OfferTypeSchema,
  PartnerLevelSchema,
  ProductAreaSchema,
  PurchaseStatusSchema,
  RoleSchema,
  ServiceRequestTypeSchema,
  TechnicalKindSchema,
} from './types';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

/**
 * An ISO 8601 UTC instant, e.g. `2025-01-31T00:00:00.000Z` (docs/product.md §9 "Dates are ISO 8601 UTC
 * strings").
 */
export const IsoDateTime = z.iso.datetime();
/** An id in a path or body (the one id schema, see `ids.ts`). */
export { IdSchema };
/**
 * The identity provider's object id (`oid` claim; docs/product.md §10): also a document id, so the same
 * {@link IdSchema}.
 */
const ObjectIdSchema = IdSchema;
/** A display name: 1–200 characters after trimming. */
const DisplayNameSchema = z.string().trim().min(1).max(200);
/** An email address (max 254 characters). */
const EmailSchema = z.email().max(254);

/** Partner Center roles, each at most once (may be empty: an employee). */
const RolesSchema = z
  .array(RoleSchema)
  .max(4)
  .refine((roles) => new Set(roles).size === roles.length, { message: 'roles must be unique' });

/**
 * `pageSize` query parameter: integer 1–100, default 50 (docs/product.md §9 "Paging"). Coerced from the query
 * string.
 */
export const PageSizeSchema = z.coerce.number().int().min(1).max(100).default(50);
/** Opaque continuation token from a previous page (sealed by the service: src/http/paging.ts). */
export const ContinuationTokenSchema = z.string().min(1).max(4096);
/**
 * `q` of `GET …/benefits` (docs/product.md §9): a case-insensitive search of the product or offer name. 1–100
 * characters after trimming; no control characters. Blank is refused rather than read as "no filter".
 */
const SearchQuerySchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be blank' })
  .max(100, { message: 'must be at most 100 characters' })
  .refine((s) => !/\p{C}/u.test(s), { message: 'must not contain control characters' });

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/**
 * `POST /api/partners/{partnerId}/users` (docs/product.md §10):
 * `{ objectId, displayName, accountEmail, roles, preferredLanguage? }` (the language of emails to the user,
 * docs/product.md §7).
 */
export const CreateUserBody = z
  .strictObject({
    objectId: ObjectIdSchema,
    displayName: DisplayNameSchema,
    accountEmail: EmailSchema,
    roles: RolesSchema,
    preferredLanguage: LocaleSchema.optional(),
  })
  .meta({ id: 'CreateUserBody' });
export type CreateUserBody = z.infer<typeof CreateUserBody>;

/**
 * `PATCH /api/partners/{partnerId}/users/{userId}` (docs/product.md §9): any of
 * `{ roles, displayName, preferredLanguage }`, at least one. `roles` replaces the user's roles (an empty list
 * makes them an employee).
 */
export const UpdateUserBody = z
  .strictObject({
    roles: RolesSchema.optional(),
    displayName: DisplayNameSchema.optional(),
    preferredLanguage: LocaleSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'give at least one of roles, displayName, preferredLanguage',
  })
  .meta({ id: 'UpdateUserBody' });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

/**
 * `POST /api/operator/partners` (docs/product.md §10):
 * `{ name, level, managedIn = 'PartnerCenter', membership: { status = 'Active', expiresAt }, globalAdmin: { objectId, displayName, accountEmail } }`.
 */
export const CreatePartnerBody = z
  .strictObject({
    name: DisplayNameSchema,
    level: PartnerLevelSchema,
    managedIn: ManagedInSchema.default('PartnerCenter'),
    preferredLanguage: LocaleSchema.optional(),
    membership: z.strictObject({
      status: MembershipStatusSchema.default('Active'),
      expiresAt: IsoDateTime,
    }),
    globalAdmin: z.strictObject({
      objectId: ObjectIdSchema,
      displayName: DisplayNameSchema,
      accountEmail: EmailSchema,
    }),
  })
  .meta({ id: 'CreatePartnerBody' });
export type CreatePartnerBody = z.infer<typeof CreatePartnerBody>;

/** `POST …/purchases`: `{ packageId }` (an unknown package is answered by the route). */
export const CreatePurchaseBody = z.strictObject({ packageId: IdSchema }).meta({ id: 'CreatePurchaseBody' });
export type CreatePurchaseBody = z.infer<typeof CreatePurchaseBody>;

/**
 * `POST …/benefits/{benefitId}/assignments`: `{ userId, alternateEmail?, message? (≤ 2000) }`. `alternateEmail` is
 * required for technical benefits (checked by `assignSeat`).
 */
export const AssignBody = z
  .strictObject({
    userId: IdSchema,
    alternateEmail: EmailSchema.optional(),
    message: z.string().max(2000).optional(),
  })
  .meta({ id: 'AssignBody' });
export type AssignBody = z.infer<typeof AssignBody>;

/** `POST …/benefits/{benefitId}/keys`: `{ language, operatingSystem }` (allowed values checked by `revealKeys`). */
export const RevealKeysBody = z
  .strictObject({
    language: z.string().min(1).max(35),
    operatingSystem: z.string().min(1).max(64),
  })
  .meta({ id: 'RevealKeysBody' });
export type RevealKeysBody = z.infer<typeof RevealKeysBody>;

/** `PUT …/marketing-contact` (docs/product.md §5): same as `MarketingContactInputSchema`. */
export const MarketingContactBody = MarketingContactInputSchema;
export type MarketingContactBody = z.infer<typeof MarketingContactBody>;

/** `POST …/purchases/{purchaseId}/cancellation` (docs/product.md §4): `{ reason (1–2000) }`. */
export const CancellationBody = z
  .strictObject({ reason: z.string().trim().min(1).max(2000) })
  .meta({ id: 'CancellationBody' });
export type CancellationBody = z.infer<typeof CancellationBody>;

/** Advisory hours request (docs/product.md §5): hours are positive multiples of 0.5, at most 1000. */
const AdvisoryHoursRequestBody = z
  .strictObject({
    type: z.literal('AdvisoryHours'),
    benefitId: IdSchema,
    topic: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(4000),
    hours: z.number().positive().max(1000).multipleOf(0.5),
  })
  .meta({ id: 'AdvisoryHoursRequestBody' });

/** Support incident request (docs/product.md §5). */
const SupportIncidentRequestBody = z
  .strictObject({
    type: z.literal('SupportIncident'),
    benefitId: IdSchema,
    productArea: ProductAreaSchema,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(4000),
  })
  .meta({ id: 'SupportIncidentRequestBody' });

/**
 * `POST …/service-requests` (docs/product.md §5): discriminated on `type` (`AdvisoryHours` |
 * `SupportIncident`).
 */
export const ServiceRequestBody = z
  .discriminatedUnion('type', [AdvisoryHoursRequestBody, SupportIncidentRequestBody])
  .meta({ id: 'ServiceRequestBody' });
export type ServiceRequestBody = z.infer<typeof ServiceRequestBody>;

/** Operator `…/activation/fulfilment` (docs/product.md §6): optional `{ accessId, contractId }` to issue. */
export const FulfilmentBody = z
  .strictObject({
    accessId: z.string().trim().min(1).max(100).optional(),
    contractId: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'FulfilmentBody' });
export type FulfilmentBody = z.infer<typeof FulfilmentBody>;

/** Operator `…/activation/rejection` (docs/product.md §6): `{ reason (1–2000) }`. */
export const RejectionBody = z
  .strictObject({ reason: z.string().trim().min(1).max(2000) })
  .meta({ id: 'RejectionBody' });
export type RejectionBody = z.infer<typeof RejectionBody>;

/** `POST /api/contact-verifications` (docs/product.md §7): `{ token }`. */
export const ContactVerificationBody = z
  .strictObject({ token: z.string().min(1).max(512) })
  .meta({ id: 'ContactVerificationBody' });
export type ContactVerificationBody = z.infer<typeof ContactVerificationBody>;

/**
 * Query of `GET …/benefits` (docs/product.md §9): `category?`, `status?`, `q?` (product or offer name,
 * case-insensitive), `pageSize` (1–100, default 50), `continuationToken?`.
 */
export const BenefitListQuery = z.strictObject({
  category: BenefitCategorySchema.optional(),
  status: BenefitStatusSchema.optional(),
  q: SearchQuerySchema.optional(),
  /**
   * Only benefits with an `expiresAt` at or before this instant (ISO 8601): with `status=Active`, the portal's
   * "Expiring soon" filter (docs/product.md §12).
   */
  expiresBefore: IsoDateTime.optional(),
  pageSize: PageSizeSchema,
  continuationToken: ContinuationTokenSchema.optional(),
});
export type BenefitListQuery = z.infer<typeof BenefitListQuery>;

/** Query of every other list route (docs/product.md §9 "Paging"). */
export const PageQuery = z.strictObject({
  pageSize: PageSizeSchema,
  continuationToken: ContinuationTokenSchema.optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

// ---------------------------------------------------------------------------------------------------------------
// Responses (not strict: "more fields are welcome", docs/product.md §9)
// ---------------------------------------------------------------------------------------------------------------

/** An assignment of a benefit seat (docs/product.md §9 Benefit.assignments[]). */
export const AssignmentSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    alternateEmail: z.string().optional(),
    alternateEmailVerifiedAt: IsoDateTime.optional(),
    assignedAt: IsoDateTime,
    assignedBy: z.string(),
    endedAt: IsoDateTime.optional(),
  })
  .meta({ id: 'Assignment' });

/** Activation state embedded in a benefit. */
const ActivationStateSchema = z
  .object({
    instanceId: z.string(),
    attempt: z.number().int(),
    status: ActivationStatusSchema,
    requestedAt: IsoDateTime,
    requestedBy: z.string(),
    activatedAt: IsoDateTime.optional(),
    expiresAt: IsoDateTime.optional(),
    failure: z.object({ code: z.string(), detail: z.string() }).optional(),
  })
  .meta({ id: 'ActivationState' });

/** A benefit as returned by list/get (docs/product.md §9 Benefit); never has keys. */
export const BenefitSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    purchaseId: z.string(),
    packageId: z.string(),
    catalogItemId: z.string(),
    category: BenefitCategorySchema,
    productName: z.string(),
    offerType: OfferTypeSchema.optional(),
    cloudKind: CloudKindSchema.optional(),
    technicalKind: TechnicalKindSchema.optional(),
    status: BenefitStatusSchema,
    seats: z.number().int().optional(),
    assignments: z.array(AssignmentSchema),
    languages: z.array(z.string()).optional(),
    operatingSystems: z.array(z.string()).optional(),
    activatedAt: IsoDateTime.optional(),
    expiresAt: IsoDateTime.optional(),
    accessId: z.string().optional(),
    contractId: z.string().optional(),
    incidentsRemaining: z.number().int().optional(),
    advisoryHoursRemaining: z.number().optional(),
    activation: ActivationStateSchema.optional(),
    createdAt: IsoDateTime,
    instructions: z
      .string()
      .optional()
      .meta({ description: "The product's special instructions (docs/product.md §3)" }),
    portalUrl: z
      .url()
      .optional()
      .meta({ description: 'Where the benefit is managed (usage-based Azure: the Azure portal)' }),
  })
  .meta({ id: 'Benefit' });

/** A purchase (docs/product.md §9 Purchase). */
export const PurchaseSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    packageId: z.string(),
    purchasedAt: IsoDateTime,
    purchasedBy: z.string(),
    status: PurchaseStatusSchema,
    benefitIds: z.array(z.string()),
    softwareKeysRevealedAt: IsoDateTime.optional(),
    refund: z
      .object({ amount: z.number().optional(), refundedAt: IsoDateTime, serviceRequestId: z.string() })
      .optional(),
    cancelledAt: IsoDateTime.optional(),
    cancellation: z.object({ requestedBy: z.string(), reason: z.string() }).optional(),
    cancellable: z
      .boolean()
      .meta({ description: 'Whether a cancellation with refund would be accepted now (docs/product.md §4)' }),
    cancellableReason: z
      .enum(['refund-window-elapsed', 'software-benefits-activated', 'purchase-cancelled'])
      .optional()
      .meta({ description: 'Why not, when `cancellable` is false' }),
    cancellableUntil: IsoDateTime.meta({
      description: 'End of the 30-day refund window (exclusive)',
    }),
    /** Set on a renewal purchase (docs/product.md §12): the membership's end before and after. */
    renewal: z.object({ previousExpiresAt: IsoDateTime, expiresAt: IsoDateTime }).optional(),
  })
  .meta({ id: 'Purchase' });

/** `POST …/keys` answer: `{ keys, downloads, instructions }` (docs/product.md §3, §9). */
export const KeysResponseSchema = z
  .object({
    keys: z.array(z.object({ productKey: z.string(), language: z.string(), operatingSystem: z.string() })),
    downloads: z.array(
      z.object({ language: z.string(), operatingSystem: z.string(), url: z.url(), fileName: z.string() }),
    ),
    instructions: z
      .string()
      .meta({ description: "The product's special instructions, to follow with the keys" }),
  })
  .meta({ id: 'KeysResponse' });

/** A user of a partner (docs/product.md §9 User). */
export const UserSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    objectId: z.string(),
    displayName: z.string(),
    accountEmail: z.string(),
    roles: z.array(RoleSchema),
    preferredLanguage: LocaleSchema.optional(),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'User' });

/** The marketing contact of a partner (docs/product.md §5, §9). */
export const MarketingContactSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    phone: z.string(),
    preferredLanguage: LocaleSchema,
    status: MarketingContactStatusSchema,
    updatedAt: IsoDateTime,
    verifiedAt: IsoDateTime.optional(),
  })
  .meta({ id: 'MarketingContact' });

/** A partner organization (docs/product.md §9 Partner). */
export const PartnerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    level: PartnerLevelSchema,
    managedIn: ManagedInSchema,
    membership: z.object({ status: MembershipStatusSchema, expiresAt: IsoDateTime }),
    marketingContact: MarketingContactSchema.optional(),
    preferredLanguage: LocaleSchema.optional(),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'Partner' });

/** `GET …/activation` (docs/product.md §9 Activation): the benefit's activation state with its benefit id. */
export const ActivationSchema = ActivationStateSchema.omit({ attempt: true })
  .extend({ benefitId: z.string() })
  .meta({ id: 'Activation' });

/** A service request (docs/product.md §9 Service request). */
export const ServiceRequestSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    type: ServiceRequestTypeSchema,
    status: z.enum(['Open', 'Completed', 'Rejected']),
    createdAt: IsoDateTime,
    createdBy: z.string(),
    reason: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ServiceRequest' });

/** An audit event (docs/product.md §9: actor, action, target, outcome, time). */
export const AuditEventSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    at: IsoDateTime,
    actor: z.object({ objectId: z.string(), kind: z.enum(['user', 'operator', 'system']) }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    outcome: z.enum(['Succeeded', 'Rejected']),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AuditEvent' });

/** A catalog item (docs/product.md §3). */
const CatalogItemSchema = z
  .object({
    id: z.string(),
    category: BenefitCategorySchema,
    productName: z.string(),
    description: z.string(),
    levels: z.array(PartnerLevelSchema),
    cloudKind: CloudKindSchema.optional(),
    technicalKind: TechnicalKindSchema.optional(),
    offerType: OfferTypeSchema.optional(),
    seats: z.number().int().optional(),
    incidents: z.number().int().optional(),
    advisoryHours: z.number().optional(),
    languages: z.array(z.string()).optional(),
    operatingSystems: z.array(z.string()).optional(),
    termMonths: z.number().int().optional(),
    instructions: z.string().meta({ description: "The product's special instructions (docs/product.md §3)" }),
    portalUrl: z
      .url()
      .optional()
      .meta({ description: 'Where the benefit is managed, e.g. the Azure portal' }),
  })
  .meta({ id: 'CatalogItem' });

/** A catalog package (`GET /api/catalog/packages`, docs/product.md §3). */
export const CatalogPackageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    eligibleLevels: z.array(PartnerLevelSchema),
    items: z.array(CatalogItemSchema),
  })
  .meta({ id: 'CatalogPackage' });

/**
 * `application/problem+json` (RFC 9457, docs/product.md §9): `type, title, status, detail, code`, `errors`
 * for validation.
 */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** A page of a list route: `{ items, continuationToken: string | null }` (docs/product.md §9 "Paging"). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), continuationToken: z.string().nullable() });
}
