/**
 * Demo data of docs/product.md §10 (fixed: docs and acceptance checks rely on it). The local host seeds it
 * into an empty store: at the first `npm start` on a data folder, after `npm run reset`, and in every test
 * host (which starts empty).
 *
 * Every id is name-based (a UUID derived from a fixed name), so the same demo data has the same ids on every
 * machine and every reset: object ids derive from the email, so `npm run token -- admin@contoso.example`
 * works without asking the running host; purchase and benefit ids from the purchase's role in the demo.
 * Dates are relative to the seeding time ("made today", "45 days ago").
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { getPackage } from '../domain/catalog';
import { withMembershipNoticeSchedule } from '../domain/notices';
import { provisionBenefits } from '../domain/provisioning';
import type { Benefit, Partner, PartnerLevel, Purchase, Role, User } from '../domain/types';
import type { Services } from '../services';
import { rawDocuments } from '../store/raw';

/** A demo partner (docs/product.md §10). */
export interface DemoPartner {
  id: string;
  name: string;
  level: PartnerLevel;
  managedIn: 'PartnerCenter' | 'PMC';
}

/**
 * The demo partners, in the order `npm start` lists them.
 * @public `src/local/main.ts` reads it through a lazy `require`, which knip does not follow.
 */
export const DEMO_PARTNERS: readonly DemoPartner[] = [
  { id: 'contoso', name: 'Contoso Ltd', level: 'Gold', managedIn: 'PartnerCenter' },
  { id: 'fabrikam', name: 'Fabrikam, Inc.', level: 'Silver', managedIn: 'PartnerCenter' },
  { id: 'adatum', name: 'Adatum Corporation', level: 'ActionPack', managedIn: 'PartnerCenter' },
  { id: 'northwind', name: 'Northwind Traders', level: 'Silver', managedIn: 'PMC' },
];

/** A demo user: email, object id, roles. */
export interface DemoUser {
  partnerId: string;
  email: string;
  objectId: string;
  displayName: string;
  roles: Role[];
}

/** Name-based UUID (v5 layout over SHA-256) of a demo email: stable across runs and machines. */
export function demoObjectId(email: string): string {
  return nameBasedUuid(email.toLowerCase());
}

/** Name-based UUID (v5 layout over SHA-256) of any demo name. */
function nameBasedUuid(name: string): string {
  const h = createHash('sha256').update(`partner-benefits-demo:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Every demo user of every demo partner: four admins (one per role) and twelve employees each. */
export function demoUsers(): DemoUser[] {
  const users: DemoUser[] = [];
  for (const p of DEMO_PARTNERS) {
    const admins: Array<[string, string, Role]> = [
      ['admin', 'Global Admin', 'GlobalAdmin'],
      ['useradmin', 'User Admin', 'UserAdmin'],
      ['agent', 'Admin Agent', 'AdminAgent'],
      ['mpn', 'MPN Partner Admin', 'MpnPartnerAdmin'],
    ];
    for (const [local, title, role] of admins) {
      const email = `${local}@${p.id}.example`;
      users.push({
        partnerId: p.id,
        email,
        objectId: demoObjectId(email),
        displayName: `${title} (${p.name})`,
        roles: [role],
      });
    }
    for (let i = 1; i <= 12; i++) {
      const email = `dev${i}@${p.id}.example`;
      users.push({
        partnerId: p.id,
        email,
        objectId: demoObjectId(email),
        displayName: `Developer ${i} (${p.name})`,
        roles: [],
      });
    }
  }
  return users;
}

/** What was seeded, for the banner and tests. */
export interface DemoSeed {
  partners: Partner[];
  users: DemoUser[];
  purchases: Purchase[];
  benefits: Benefit[];
}

/** Days until fabrikam's membership ends: inside its renewal window (docs/product.md §12 demo, decisions). */
const FABRIKAM_MEMBERSHIP_DAYS_LEFT = 45;
/** Days until fabrikam's Silver Core offer expires: its 7-day reminder is due (docs/product.md §12 demo). */
const FABRIKAM_OFFER_DAYS_LEFT = 5;

/**
 * Seeds the demo partners, users and purchases (docs/product.md §10) into an empty store: contoso's three
 * purchases, and — for the membership lifecycle (docs/product.md §12) — fabrikam's membership ending in 45 days
 * (inside its renewal window) with a year-old `silver-competency` purchase whose Silver Core offer expires in 5
 * days, so that the first screen of fabrikam's admin shows both and `npm run sweep` sends their reminders. Every
 * other membership runs for another year.
 */
export async function seedDemoData(services: Services): Promise<DemoSeed> {
  const now = services.clock.now();
  const at = DateTime.fromJSDate(now, { zone: 'utc' });
  const users = demoUsers();
  const partners: Partner[] = DEMO_PARTNERS.map((p) => ({
    id: p.id,
    name: p.name,
    level: p.level,
    managedIn: p.managedIn,
    membership: {
      status: 'Active',
      expiresAt: (p.id === 'fabrikam'
        ? at.plus({ days: FABRIKAM_MEMBERSHIP_DAYS_LEFT })
        : at.plus({ years: 1 })
      ).toISO()!,
    },
    createdAt: at.minus({ years: 2 }).toISO()!,
    globalAdminIds: [demoObjectId(`admin@${p.id}.example`)],
  }));
  await Promise.all(
    partners.map((p) =>
      rawDocuments(services.store).create('partner', { ...withMembershipNoticeSchedule(p), partnerId: p.id }),
    ),
  );
  await Promise.all(
    users.map((u) => {
      const user: User = {
        id: u.objectId,
        partnerId: u.partnerId,
        objectId: u.objectId,
        displayName: u.displayName,
        accountEmail: u.email,
        roles: u.roles,
        createdAt: at.minus({ years: 1 }).toISO()!,
      };
      return services.store.createUser(user);
    }),
  );

  const purchases: Purchase[] = [];
  const benefits: Benefit[] = [];
  const buyFor =
    (partnerId: string) =>
    async (name: string, packageId: string, purchasedAt: DateTime, adjust?: (b: Benefit) => Benefit) => {
      const partner = partners.find((p) => p.id === partnerId)!;
      const admin = users.find((u) => u.email === `admin@${partnerId}.example`)!;
      const pkg = getPackage(packageId);
      if (!pkg) throw new Error(`Demo package ${packageId} is missing from the catalog`);
      const purchaseId = nameBasedUuid(`purchase:${partnerId}:${name}`);
      let benefitNumber = 0;
      const provisioned = provisionBenefits({
        partner,
        pkg,
        purchaseId,
        now: purchasedAt.toJSDate(),
        newId: () => nameBasedUuid(`benefit:${partnerId}:${name}:${++benefitNumber}`),
      }).map((b) => (adjust ? adjust(b) : b));
      const purchase: Purchase = {
        id: purchaseId,
        partnerId,
        packageId,
        purchasedAt: purchasedAt.toISO()!,
        purchasedBy: admin.objectId,
        status: 'Active',
        benefitIds: provisioned.map((b) => b.id),
      };
      await services.store.createPurchase(purchase, provisioned);
      purchases.push(purchase);
      benefits.push(...provisioned);
    };
  const buy = buyFor('contoso');
  // A gold-competency purchase made today.
  await buy('gold-today', 'gold-competency', at);
  // An action-pack purchase made 45 days ago (refund window over).
  await buy('action-pack-45-days', 'action-pack', at.minus({ days: 45 }));
  // A gold-competency purchase made 400 days ago whose Gold Core offer is still Active, expired yesterday.
  const old = at.minus({ days: 400 });
  await buy('gold-400-days', 'gold-competency', old, (b) =>
    b.category === 'goToMarket' && b.offerType === 'Gold Core'
      ? {
          ...b,
          status: 'Active',
          activatedAt: old.plus({ days: 3 }).toISO()!,
          expiresAt: at.minus({ days: 1 }).toISO()!,
        }
      : b,
  );
  // Fabrikam (docs/product.md §12 demo): a silver-competency purchase made a year ago whose Silver Core offer,
  // activated five days less than its 12-month term ago, expires in 5 days.
  const offerEnds = at.plus({ days: FABRIKAM_OFFER_DAYS_LEFT });
  await buyFor('fabrikam')('silver-365-days', 'silver-competency', at.minus({ days: 365 }), (b) =>
    b.category === 'goToMarket' && b.offerType === 'Silver Core'
      ? {
          ...b,
          status: 'Active',
          activatedAt: offerEnds.minus({ months: 12 }).toISO()!,
          expiresAt: offerEnds.toISO()!,
        }
      : b,
  );
  return { partners, users, purchases, benefits };
}
