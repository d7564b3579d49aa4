/** Path-parameter schemas shared by the routes: every path id is the one {@link IdSchema} (docs/product.md §9). */
import * as z from 'zod';
import { IdSchema as id } from '../../domain/ids';

export const PartnerParams = z.object({ partnerId: id });
export const BenefitParams = z.object({ partnerId: id, benefitId: id });
export const PurchaseParams = z.object({ partnerId: id, purchaseId: id });
export const AssignmentParams = z.object({ partnerId: id, benefitId: id, assignmentId: id });
export const UserParams = z.object({ partnerId: id, userId: id });
