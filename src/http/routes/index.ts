/** Every HTTP route of the app, for OpenAPI generation and tests. */
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
import { listOperatorPartners } from './operatorPartners';
import { downloadFile } from './downloads';
import { changePartnerLevel, getMembership, renewMembershipRoute } from './membership';

export const ALL_ROUTES: RouteDefinition[] = [
  health,
  getOpenApi,
  downloadFile,
  getMe,
  listPackages,
  getPartner,
  listUsers,
  createUser,
  getUser,
  updateUser,
  deleteUser,
  listPurchases,
  createPurchase,
  getPurchase,
  listBenefits,
  getBenefit,
  assignBenefit,
  unassignBenefit,
  getAssignment,
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
  getMembership,
  renewMembershipRoute,
  changePartnerLevel,
  lookupContactVerification,
  listOperatorActivations,
  listOperatorPartners,
];
