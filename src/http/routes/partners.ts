/**
 * Partner, user and "me" routes (docs/product.md §5, §9, §10): `GET /api/partners/{partnerId}`,
 * `GET|POST …/users`, `GET /api/me`, and the operator's `POST /api/operator/partners`.
 */
import { DomainError } from '../../domain/errors';
import {
  CreatePartnerBody,
  CreateUserBody,
  PageQuery,
  PartnerSchema,
  UserSchema,
  pageSchema,
} from '../../domain/schemas';
import * as z from 'zod';
import { AssignmentSchema, BenefitSchema } from '../../domain/schemas';
import { ManagedInSchema } from '../../domain/types';
import { assertCanSetRoles } from '../../domain/users';
import type { Partner, Role, User } from '../../domain/types';
import { audit } from '../../app/audit';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { PartnerParams } from './params';
import { toPublicBenefit } from '../../domain/rules';

/** `GET /api/partners/{partnerId}` — partner, membership, marketing contact. */
export const getPartner = defineRoute({
  name: 'getPartner',
  method: 'GET',
  route: 'partners/{partnerId}',
  summary: 'Read the partner, its membership and marketing contact',
  tags: ['partners'],
  access: { kind: 'partner', action: 'read' },
  params: PartnerParams,
  responses: { 200: { description: 'The partner', schema: PartnerSchema } },
  handle: async ({ partner }) => ({ status: 200, body: publicPartner(partner.value), etag: partner.etag }),
});

/**
 * `GET /api/partners/{partnerId}/users` — paged, by display name. Any of the four admin roles
 * (docs/product.md §2: needed to "select a user from the list" for a contact or a seat).
 */
export const listUsers = defineRoute({
  name: 'listUsers',
  method: 'GET',
  route: 'partners/{partnerId}/users',
  summary: "List the partner's users",
  tags: ['users'],
  access: { kind: 'partner', action: 'listUsers' },
  responses: { 200: { description: 'A page of users, by display name', schema: pageSchema(UserSchema) } },
  params: PartnerParams,
  query: PageQuery,
  handle: async ({ services, params, query }) => ({
    status: 200,
    body: await pageOf(services, { route: 'listUsers', partnerId: params.partnerId }, query, (p) =>
      services.store.listUsers(params.partnerId, p),
    ),
  }),
});

/**
 * `POST /api/partners/{partnerId}/users` `{ objectId, displayName, accountEmail, roles, preferredLanguage? }` —
 * docs/product.md §2 "add new users in Account settings" (GlobalAdmin, UserAdmin). Nobody grants a role with
 * rights they lack (a UserAdmin grants UserAdmin and AdminAgent only). A new GlobalAdmin joins the partner's
 * `globalAdminIds`. Errors: 403 `forbidden`, 409 `user-exists`, 400 `validation-failed`.
 */
export const createUser = defineRoute({
  name: 'createUser',
  method: 'POST',
  route: 'partners/{partnerId}/users',
  summary: 'Add a user to the partner',
  tags: ['users'],
  access: { kind: 'partner', action: 'manageUsers' },
  params: PartnerParams,
  body: CreateUserBody,
  responses: { 201: { description: 'The user', schema: UserSchema } },
  handle: async ({ services, params, body, user: caller, caller: token }) => {
    assertCanSetRoles(caller.roles, undefined, body.roles);
    const user: User = {
      id: body.objectId,
      partnerId: params.partnerId,
      objectId: body.objectId,
      displayName: body.displayName,
      accountEmail: body.accountEmail,
      roles: [...new Set(body.roles)] as Role[],
      ...(body.preferredLanguage ? { preferredLanguage: body.preferredLanguage } : {}),
      createdAt: services.clock.now().toISOString(),
    };
    const created = await services.store.createUser(user);
    if (user.roles.includes('GlobalAdmin')) {
      await services.store.changeGlobalAdmins(params.partnerId, user.id, true);
    }
    await audit(services, {
      partnerId: params.partnerId,
      caller: token,
      action: 'user.create',
      target: { type: 'user', id: user.id },
      detail: { roles: user.roles },
    });
    return {
      status: 201,
      body: created.value,
      etag: created.etag,
      headers: {
        Location: `/api/partners/${encodeURIComponent(params.partnerId)}/users/${encodeURIComponent(user.id)}`,
      },
    };
  },
});

/**
 * `GET /api/me` answer: the caller's user fields, `partnerId` (null for an operator without a user), all roles
 * (Partner Center roles plus app roles such as `Program.Operator`), active `assignments` with their benefits, and
 * — so that any member, an employee too, can be told whom to ask for a role (docs/product.md §11) — the partner's
 * `partnerName`, `managedIn` and `globalAdmins` (display name and account email only).
 */
const MeSchema = z
  .object({
    objectId: z.string(),
    partnerId: z.string().nullable(),
    partnerName: z.string().optional(),
    managedIn: ManagedInSchema.optional(),
    id: z.string().optional(),
    displayName: z.string().optional(),
    accountEmail: z.string().optional(),
    roles: z.array(z.string()),
    user: z.union([UserSchema, z.null()]),
    globalAdmins: z.array(z.object({ displayName: z.string(), accountEmail: z.string() })).optional(),
    assignments: z.array(
      AssignmentSchema.extend({
        benefitId: z.string(),
        productName: z.string(),
        category: BenefitSchema.shape.category,
        benefit: BenefitSchema,
      }),
    ),
  })
  .meta({ id: 'Me' });
/** `GET /api/me` — the caller's user, partner id, roles and active assignments (docs/product.md §1, §9). */
export const getMe = defineRoute({
  name: 'getMe',
  method: 'GET',
  route: 'me',
  summary: "The caller's user, partner, roles and assignments",
  tags: ['users'],
  access: { kind: 'authenticated' },
  responses: { 200: { description: 'The caller', schema: MeSchema } },
  handle: async ({ services, caller }) => {
    const entry = await services.store.findDirectoryEntry(caller.objectId);
    if (!entry) {
      if (caller.isOperator) {
        return {
          status: 200,
          body: {
            objectId: caller.objectId,
            partnerId: null,
            roles: caller.appRoles,
            user: null,
            assignments: [],
          },
        };
      }
      throw new DomainError('not-found', 'No user with this object id is known.');
    }
    const user = await services.store.getUser(entry.homePartnerId, entry.userId);
    if (!user) throw new DomainError('not-found', 'No user with this object id is known.');
    const [partner, globalAdmins] = await Promise.all([
      services.store.getPartner(entry.homePartnerId),
      services.store.listUsersWithRole(entry.homePartnerId, 'GlobalAdmin'),
    ]);
    const benefits = await services.store.listBenefitsAssignedTo(entry.homePartnerId, user.value.id);
    const assignments = benefits.flatMap((b) =>
      b.assignments
        .filter((a) => a.userId === user.value.id && !a.endedAt)
        .map((a) => ({
          ...a,
          benefitId: b.id,
          productName: b.productName,
          category: b.category,
          benefit: toPublicBenefit(b),
        })),
    );
    return {
      status: 200,
      body: {
        ...user.value,
        partnerId: entry.homePartnerId,
        ...(partner ? { partnerName: partner.value.name, managedIn: partner.value.managedIn } : {}),
        roles: [...user.value.roles, ...caller.appRoles],
        user: user.value,
        globalAdmins: globalAdmins.map((a) => ({ displayName: a.displayName, accountEmail: a.accountEmail })),
        assignments,
      },
    };
  },
});

/**
 * `POST /api/operator/partners` — onboard a partner with its first GlobalAdmin (docs/product.md §1 program
 * operator).
 */
export const createPartner = defineRoute({
  name: 'createPartner',
  method: 'POST',
  route: 'operator/partners',
  summary: 'Onboard a partner organization with its first GlobalAdmin (operator)',
  tags: ['operator'],
  access: { kind: 'operator' },
  body: CreatePartnerBody,
  responses: { 201: { description: 'The partner and its first admin', schema: PartnerSchema } },
  handle: async ({ services, body, caller }) => {
    const now = services.clock.now().toISOString();
    const partner: Partner = {
      id: services.newId(),
      name: body.name,
      level: body.level,
      managedIn: body.managedIn,
      membership: {
        status: body.membership.status,
        expiresAt: new Date(body.membership.expiresAt).toISOString(),
      },
      ...(body.preferredLanguage ? { preferredLanguage: body.preferredLanguage } : {}),
      createdAt: now,
      globalAdminIds: [body.globalAdmin.objectId],
    };
    const admin: User = {
      id: body.globalAdmin.objectId,
      partnerId: partner.id,
      objectId: body.globalAdmin.objectId,
      displayName: body.globalAdmin.displayName,
      accountEmail: body.globalAdmin.accountEmail,
      roles: ['GlobalAdmin'],
      createdAt: now,
    };
    const created = await services.store.createPartner(partner, admin);
    await audit(services, {
      partnerId: partner.id,
      caller,
      action: 'partner.create',
      target: { type: 'partner', id: partner.id },
      detail: { level: partner.level, managedIn: partner.managedIn },
    });
    return {
      status: 201,
      body: { ...publicPartner(partner), globalAdmin: admin },
      etag: created.partner.etag,
      headers: { Location: `/api/partners/${partner.id}` },
    };
  },
});

/**
 * The partner as the API shows it: without the store's `partnerId` and the internal `globalAdminIds` and notice
 * schedule (`nextNoticeAt`, `notices`).
 */
export function publicPartner(p: Partner): Partner {
  const {
    partnerId: _p,
    globalAdminIds: _g,
    nextNoticeAt: _n,
    notices: _s,
    ...rest
  } = p as Partner & { partnerId?: string };
  return rest;
}
