/**
 * The one route list: every HTTP route of the app by trigger group. `functions/<group>.ts` registers its group
 * (`registerRoutes`), and the OpenAPI document is generated from {@link ALL_ROUTES}: a route added to a group here is
 * registered and documented.
 */
import type { HttpFunctionOptions } from '@azure/functions';
import type { RouteDefinition } from '../route';
import { fulfilActivation, getActivation, rejectActivation, startActivation } from './activation';
import { assignBenefit, getAssignment, unassignBenefit } from './assignments';
import { listAuditEvents } from './audit';
import { getBenefit, listBenefits } from './benefits';
import { listPackages } from './catalog';
import { setMarketingContact, verifyContact } from './contacts';
import { revealBenefitKeys } from './keys';
import { createPartner, createUser, getMe, getPartner, listUsers } from './partners';
import { createPurchase, getPurchase, listPurchases } from './purchases';
import { health } from './system';
import { deleteUser, getUser, updateUser } from './users';
import { requestCancellation } from './cancellation';
import { createServiceRequest, listServiceRequests } from './serviceRequests';
import { getOpenApi } from './openapi';
import { lookupContactVerification } from './contactLookup';
import { listOperatorActivations } from './operatorQueue';
import { getOperatorPartner, listOperatorPartners } from './operatorPartners';
import { downloadFile } from './downloads';
import { changePartnerLevel, getMembership, renewMembershipRoute } from './membership';

/** The routes of each trigger group (one file per group in functions/). */
export const ROUTE_GROUPS = {
  system: [health, listPackages, getOpenApi, downloadFile],
  partners: [getMe, getPartner, listUsers, createUser, getUser, updateUser, deleteUser, createPartner],
  purchases: [listPurchases, createPurchase, getPurchase],
  benefits: [listBenefits, getBenefit, assignBenefit, unassignBenefit, getAssignment, revealBenefitKeys],
  contacts: [setMarketingContact, verifyContact, lookupContactVerification],
  audit: [listAuditEvents],
  activation: [startActivation, getActivation, fulfilActivation, rejectActivation],
  serviceRequests: [requestCancellation, listServiceRequests, createServiceRequest],
  membership: [getMembership, renewMembershipRoute, changePartnerLevel],
  operator: [listOperatorActivations, listOperatorPartners, getOperatorPartner],
} satisfies Record<string, RouteDefinition[]>;

/** Every HTTP route of the app (all groups), for OpenAPI generation and tests. */
export const ALL_ROUTES: RouteDefinition[] = Object.values(ROUTE_GROUPS).flat();

/** Registers each route of `routes` with the Functions host (`app.http(name, options)`). */
export function registerRoutes(
  app: { http(name: string, options: HttpFunctionOptions): void },
  routes: readonly RouteDefinition[],
): void {
  for (const route of routes) app.http(route.name, route.options);
}
