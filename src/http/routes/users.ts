/**
 * One user of a partner (docs/product.md §2, §9 "Account settings → Users"): `GET`, `PATCH` (roles, displayName,
 * preferredLanguage) and `DELETE /api/partners/{partnerId}/users/{userId}`; thin adapters of src/app/users.ts
 * (who may grant or remove whom: the policy's `canGrantRole` / `canManageUser`).
 */
import { changeUser, readUser, removeUser } from '../../app/users';
import { UpdateUserBody, UserSchema } from '../../domain/schemas';
import { defineRoute, ifMatch, partnerCaller } from '../route';
import { UserParams } from './params';

/** `GET /api/partners/{partnerId}/users/{userId}` → 200 the user with its `ETag` (any of the four admin roles). */
export const getUser = defineRoute({
  name: 'getUser',
  method: 'GET',
  route: 'partners/{partnerId}/users/{userId}',
  summary: 'Read one user of the partner',
  tags: ['users'],
  access: { kind: 'partner', action: 'listUsers' },
  params: UserParams,
  responses: { 200: { description: 'The user', schema: UserSchema } },
  handle: async (input) => {
    const user = await readUser(input.services, { ...partnerCaller(input), userId: input.params.userId });
    return { status: 200, body: user.value, etag: user.etag };
  },
});

/**
 * `PATCH /api/partners/{partnerId}/users/{userId}` `{ roles?, displayName?, preferredLanguage? }` → 200 the user,
 * `ETag`; honours `If-Match`. GlobalAdmin or UserAdmin.
 * Errors: 403 `forbidden` (a role the caller cannot grant, or a user holding one), 404 `not-found`,
 * 409 `last-global-admin`, 412 `precondition-failed`, 400 `validation-failed`.
 */
export const updateUser = defineRoute({
  name: 'updateUser',
  method: 'PATCH',
  route: 'partners/{partnerId}/users/{userId}',
  summary: "Change a user's roles, display name or language",
  tags: ['users'],
  access: { kind: 'partner', action: 'manageUsers' },
  params: UserParams,
  body: UpdateUserBody,
  responses: { 200: { description: 'The user', schema: UserSchema } },
  handle: async (input) => {
    const saved = await changeUser(input.services, {
      ...partnerCaller(input),
      ...input.body,
      userId: input.params.userId,
      ifMatch: ifMatch(input.request),
    });
    return { status: 200, body: saved.value, etag: saved.etag };
  },
});

/**
 * `DELETE /api/partners/{partnerId}/users/{userId}` → 204; honours `If-Match`. GlobalAdmin or UserAdmin. Ends the
 * user's assignments (seats free up; a technical contact is unassigned), then removes the user, so its object id
 * and account email can be used again.
 * Errors: 403 `forbidden` (the user holds a role the caller cannot grant), 404 `not-found`, 409 `last-global-admin`,
 * 409 `user-is-marketing-contact` (change the marketing contact first), 412 `precondition-failed`.
 */
export const deleteUser = defineRoute({
  name: 'deleteUser',
  method: 'DELETE',
  route: 'partners/{partnerId}/users/{userId}',
  summary: 'Remove a user from the partner (ends their assignments)',
  tags: ['users'],
  access: { kind: 'partner', action: 'manageUsers' },
  params: UserParams,
  handle: async (input) => {
    await removeUser(input.services, {
      ...partnerCaller(input),
      userId: input.params.userId,
      ifMatch: ifMatch(input.request),
    });
    return { status: 204 };
  },
});
