/** Path-parameter schemas shared by the routes. */
import * as z from 'zod';

const id = z.string().min(1).max(128);

export const PartnerParams = z.object({ partnerId: id });
export const BenefitParams = z.object({ partnerId: id, benefitId: id });
export const PurchaseParams = z.object({ partnerId: id, purchaseId: id });
export const AssignmentParams = z.object({ partnerId: id, benefitId: id, assignmentId: id });
