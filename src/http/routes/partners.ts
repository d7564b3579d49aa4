/**
 * Partner, user and "me" routes (docs/product.md §5, §9, §10): `GET /api/partners/{partnerId}`,
 * `GET|POST …/users`, `GET /api/me`, and the operator's `POST /api/operator/partners`; thin adapters of the use
 * cases in src/app (partners.ts, users.ts, me.ts).
 */
import { describeCaller } from '../../app/me';
import { onboardPartner, readPartner } from '../../app/partners';
import { addUser, listPartnerUsers } from '../../app/users';
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
import { pageOf } from '../paging';
import { defineRoute, partnerCaller } from '../route';
import { PartnerParams } from './params';

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
  handle: async (input) => ({
    status: 200,
    body: readPartner(partnerCaller(input)),
    etag: input.partner.etag,
  }),
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
  handle: async (input) => ({
    status: 200,
    body: await pageOf(
      input.services,
      { route: 'listUsers', partnerId: input.params.partnerId },
      input.query,
      (page) => listPartnerUsers(input.services, { ...partnerCaller(input), page }),
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
  handle: async (input) => {
    const created = await addUser(input.services, { ...partnerCaller(input), ...input.body });
    const { partnerId } = input.params;
    return {
      status: 201,
      body: created.value,
      etag: created.etag,
      headers: {
        Location: `/api/partners/${encodeURIComponent(partnerId)}/users/${encodeURIComponent(created.value.id)}`,
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
  handle: async ({ services, caller }) => ({
    status: 200,
    body: await describeCaller(services, { actor: caller }),
  }),
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
    const { partner, etag } = await onboardPartner(services, { ...body, actor: caller });
    return {
      status: 201,
      body: partner,
      etag,
      headers: { Location: `/api/operator/partners/${encodeURIComponent(partner.id)}` },
    };
  },
});
