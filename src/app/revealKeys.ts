/**
 * "Get keys" (docs/product.md §3): product keys, download links under `DOWNLOADS_BASE_URL` and the product's special
 * instructions. One unit of work (src/app/unitOfWork.ts): a software reveal recorded on the purchase, the key stored on
 * the benefit and the audit event, each document conditional on its ETag, so a reveal racing a cancellation has
 * exactly one winner (docs/product.md §4).
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import { assertPurchaseActive, recordKeyReveal, revealKeys } from '../domain/rules';
import type { Benefit } from '../domain/types';
import { etagMatches } from './etag';
import { assertCan } from './policy';
import type { AppDeps, PartnerCaller } from './ports';
import { runUnitOfWork } from './unitOfWork';

/** Random product keys in the familiar 5×5 form (unused characters removed to avoid confusion). */
function randomProductKey(): string {
  const alphabet = 'BCDFGHJKMPQRTVWXY2346789';
  const bytes = randomBytes(25);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/** The base URL of download links (docs/product.md §3): `DOWNLOADS_BASE_URL`, else the service's `/api/downloads`. */
function downloadsBaseUrl(config: AppDeps['config']): string {
  return (config.DOWNLOADS_BASE_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/downloads`).replace(
    /\/+$/,
    '',
  );
}

/** Input of {@link revealBenefitKeys}. */
export interface RevealKeysCommand extends PartnerCaller {
  benefitId: string;
  language: string;
  operatingSystem: string;
  /** The `If-Match` ETag, if any: a stale one writes nothing, not even the reveal mark on the purchase. */
  ifMatch?: string;
}

/**
 * Reveals keys (GlobalAdmin or MpnPartnerAdmin; an Active membership not past its end).
 * Returns `{ keys, downloads, instructions }` and the benefit's new ETag.
 * @throws DomainError `not-found` · `forbidden` · `membership-inactive` · `purchase-cancelled` ·
 *   `precondition-failed` · `validation-failed` (language / operating system not offered).
 */
export async function revealBenefitKeys(deps: AppDeps, cmd: RevealKeysCommand) {
  assertCan(cmd.user, 'revealKeys');
  const partnerId = cmd.partner.id;
  const now = deps.clock.now();
  const reveal = (b: Benefit) =>
    revealKeys(b, {
      language: cmd.language,
      operatingSystem: cmd.operatingSystem,
      now,
      membershipExpiresAt: cmd.partner.membership.expiresAt,
      randomKey: randomProductKey,
      downloadBaseUrl: downloadsBaseUrl(deps.config),
    });
  const { result: out, etags } = await runUnitOfWork(
    deps,
    partnerId,
    async (uow) => {
      const current = await deps.store.getBenefit(partnerId, cmd.benefitId);
      if (!current) throw new DomainError('not-found', `Benefit ${cmd.benefitId} was not found.`);
      assertMembershipActive(cmd.partner, now);
      if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, current.etag)) {
        throw new DomainError(
          'precondition-failed',
          'If-Match does not match the current ETag of the benefit.',
        );
      }
      const out = reveal(current.value); // validates first: bad input writes nothing
      const purchase = await deps.store.getPurchase(partnerId, current.value.purchaseId);
      if (!purchase) throw new DomainError('not-found', 'The purchase of this benefit was not found.');
      assertPurchaseActive(purchase.value);
      // A software reveal ends the refund right (docs/product.md §4): the purchase is written conditionally in the
      // same batch, so a cancellation racing this reveal has exactly one winner.
      const marked = recordKeyReveal(purchase.value, current.value, now);
      if (marked !== purchase.value) uow.replace('purchase', purchase, marked);
      uow.replace('benefit', current, out.benefit);
      uow.audit({
        caller: cmd.actor,
        action: 'benefit.revealKeys',
        target: { type: 'benefit', id: cmd.benefitId },
        detail: {
          language: cmd.language,
          operatingSystem: cmd.operatingSystem,
          firstReveal: out.firstReveal,
        },
      });
      return out;
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  return {
    keys: out.keys,
    downloads: out.downloads,
    instructions: out.instructions,
    etag: etags[cmd.benefitId],
  };
}
