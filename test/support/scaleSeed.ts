/**
 * Scale data for the embedded Cosmos server, shared by test/local/embeddedCosmos.test.ts and `npm run bench`:
 * `total` benefits in partners of 200 benefits each (1 000 → 5 partners, 20 000 → 100), of which the same
 * `due` Visual Studio benefits (default 50, in the first five partners) are `Active` with an `expiresAt` in the
 * past, each assigned to its partner's GlobalAdmin. Everything else is `Active` and not due, so a sweep finds
 * exactly the due ones and does the same work at every size; only the documents it must not touch grow.
 */
import type { Benefit, Partner, Purchase, User } from '../../src/domain/types';
import type { Services } from '../../src/services';
import { rawDocuments } from '../../src/store/raw';

/** Benefits per partner. */
const BENEFITS_PER_PARTNER = 200;

/** What {@link seedScale} wrote. */
export interface ScaleSeed {
  partners: string[];
  /** The due benefits as written (Active, past `expiresAt`), for {@link rearmDue}. */
  due: Benefit[];
  total: number;
}

/**
 * Writes the scale data through the store (partner + GlobalAdmin per partner, one purchase of 200 benefits per
 * partner, written as transactional batches).
 * @param now the sweep's "now": due benefits expire 1–50 hours before it, the others a year after it.
 * @throws RangeError when `total` is not a multiple of 200 or `due` does not fit in five partners.
 */
export async function seedScale(
  services: Services,
  options: { prefix: string; total: number; due?: number; now: Date },
): Promise<ScaleSeed> {
  const { prefix, total, now } = options;
  const due = options.due ?? 50;
  if (total % BENEFITS_PER_PARTNER !== 0 || total < 5 * BENEFITS_PER_PARTNER || due % 5 !== 0)
    throw new RangeError(`total must be a multiple of ${BENEFITS_PER_PARTNER} (≥ 1 000), due of 5`);
  const iso = (hours: number) => new Date(now.getTime() + hours * 3600_000).toISOString();
  const partners: string[] = [];
  const dueBenefits: Benefit[] = [];
  for (let p = 0; p < total / BENEFITS_PER_PARTNER; p++) {
    const partnerId = `${prefix}-p${p}`;
    const partner: Partner = {
      id: partnerId,
      name: `Scale ${prefix} ${p}`,
      level: 'Gold',
      managedIn: 'PartnerCenter',
      membership: { status: 'Active', expiresAt: iso(365 * 24) },
      createdAt: iso(-400 * 24),
    };
    const admin: User = {
      id: `${partnerId}-admin`,
      partnerId,
      objectId: `${partnerId}-admin`,
      displayName: `Admin of ${partnerId}`,
      accountEmail: `admin@${partnerId}.example`,
      roles: ['GlobalAdmin'],
      createdAt: iso(-400 * 24),
    };
    await services.store.createPartner(partner, admin);
    const purchase: Purchase = {
      id: `${partnerId}-purchase`,
      partnerId,
      packageId: 'gold-competency',
      purchasedAt: iso(-400 * 24),
      purchasedBy: admin.id,
      status: 'Active',
      benefitIds: [],
    };
    const benefits: Benefit[] = [];
    for (let k = 0; k < BENEFITS_PER_PARTNER; k++) {
      const isDue = p < 5 && k < due / 5;
      const b: Benefit = {
        id: `${partnerId}-b${k}`,
        partnerId,
        purchaseId: purchase.id,
        packageId: 'gold-competency',
        catalogItemId: 'visual-studio-enterprise',
        category: 'visualStudio',
        productName: 'Visual Studio Enterprise subscription',
        seats: 25,
        status: 'Active',
        assignments: [
          {
            id: `${partnerId}-b${k}-a`,
            userId: admin.id,
            assignedAt: iso(-300 * 24),
            assignedBy: admin.id,
          },
        ],
        activatedAt: iso(-300 * 24),
        expiresAt: isDue ? iso(-(k + 1)) : iso(365 * 24),
        createdAt: iso(-400 * 24),
      };
      if (isDue) dueBenefits.push(b);
      benefits.push(b);
    }
    purchase.benefitIds = benefits.map((b) => b.id);
    await services.store.createPurchase(purchase, benefits);
    partners.push(partnerId);
  }
  return { partners, due: dueBenefits, total };
}

/** Writes the due benefits back as seeded (Active, past `expiresAt`, no expiry notice), so a sweep can run again. */
export async function rearmDue(services: Services, seed: ScaleSeed): Promise<void> {
  const docs = rawDocuments(services.store);
  await Promise.all(
    seed.due.map(async (b) => {
      await docs.upsert('benefit', b);
      // A benefit's expiry notice is owed once, ever (its outbox record): forget the last run's.
      await docs.delete(b.partnerId, `outbox:expiry-${b.id}`);
    }),
  );
}
