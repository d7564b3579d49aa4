/** Every HTTP route of the app, for OpenAPI generation and tests. */
import type { RouteDefinition } from '../route';
import { fulfilActivation, getActivation, rejectActivation, startActivation } from './activation';
import { assignBenefit, unassignBenefit } from './assignments';
import { listAuditEvents } from './audit';
import { getBenefit, listBenefits } from './benefits';
import { listPackages } from './catalog';
import { setMarketingContact, verifyContact } from './contacts';
import { revealBenefitKeys } from './keys';
import { createPartner, createUser, getMe, getPartner, listUsers } from './partners';
import { createPurchase, listPurchases } from './purchases';
import { health } from './system';
import { requestCancellation } from './cancellation';
import { createServiceRequest, listServiceRequests } from './serviceRequests';
import { getOpenApi } from './openapi';
import { lookupContactVerification } from './contactLookup';
import { listOperatorActivations } from './operatorQueue';

export const ALL_ROUTES: RouteDefinition[] = [
  health,
  getOpenApi,
  getMe,
  listPackages,
  getPartner,
  listUsers,
  createUser,
  listPurchases,
  createPurchase,
  listBenefits,
  getBenefit,
  assignBenefit,
  unassignBenefit,
  revealBenefitKeys,
  setMarketingContact,
  verifyContact,
  listAuditEvents,
  createPartner,
  startActivation,
  getActivation,
  fulfilActivation,
  rejectActivation,
  requestCancellation,
  listServiceRequests,
  createServiceRequest,
  lookupContactVerification,
  listOperatorActivations,
];
