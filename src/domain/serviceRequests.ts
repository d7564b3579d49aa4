/**
 * Consumption rules of service requests (docs/product.md §5, product from the seeds' "request form"; 2020-09
 * seed, "Manage technical benefits").
 */
import { assertNotCancelled } from './assignments';
import { DomainError } from './errors';
import type { Benefit, ProductArea } from './types';

/** Product areas whose support requests must carry the benefit's Access ID and Contract ID (2020-09 seed). */
const AREAS_NEEDING_ACCESS_IDS: readonly ProductArea[] = ['onPremises', 'azureNonCsp', 'dynamics'];

function assertUsable(benefit: Benefit, now: Date | undefined): void {
  assertNotCancelled(benefit);
  if (benefit.status !== 'Active') {
    throw new DomainError('benefit-not-active', `${benefit.productName} is not active; activate it first.`);
  }
  if (
    now !== undefined &&
    benefit.expiresAt !== undefined &&
    Date.parse(benefit.expiresAt) <= now.getTime()
  ) {
    throw new DomainError('benefit-not-active', `${benefit.productName} expired at ${benefit.expiresAt}.`);
  }
}

/**
 * Consumes `hours` advisory hours of a Technical Presales and Deployment Services benefit (docs/product.md §5
 * `AdvisoryHours`) and returns the new benefit (no mutation).
 * @param hours positive number of hours (the request schema restricts it to multiples of 0.5).
 * @param now current instant; an `Active` benefit whose `expiresAt` ≤ `now` counts as not active.
 * @throws DomainError `not-activatable` (not technical/presales) · `benefit-cancelled` · `benefit-not-active` ·
 *   `validation-failed` (hours not a positive finite number) · `insufficient-hours` (hours > remaining).
 */
export function consumeAdvisoryHours(benefit: Benefit, hours: number, now: Date): Benefit {
  if (benefit.category !== 'technical' || benefit.technicalKind !== 'presales') {
    throw new DomainError(
      'not-activatable',
      'Advisory hours are requested on a Technical Presales and Deployment Services benefit.',
    );
  }
  assertUsable(benefit, now);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new DomainError('validation-failed', 'Hours must be a positive number.', [
      { field: 'body.hours', message: 'must be a positive number' },
    ]);
  }
  const remaining = benefit.advisoryHoursRemaining ?? 0;
  if (hours > remaining) {
    throw new DomainError('insufficient-hours', `You asked for ${hours} hours; ${remaining} remain.`);
  }
  return { ...benefit, advisoryHoursRemaining: remaining - hours };
}

/** Input of `consumeIncident`. */
export interface ConsumeIncidentInput {
  productArea: ProductArea;
  /** Current instant; when given, an `Active` benefit whose `expiresAt` ≤ `now` counts as not active. */
  now?: Date;
}

/** Result of `consumeIncident`: the new benefit, plus the ids the request must carry for some product areas. */
export interface ConsumeIncidentResult {
  benefit: Benefit;
  /** Set when `productArea` is `onPremises`, `azureNonCsp` or `dynamics`. */
  accessId?: string;
  /** Set when `productArea` is `onPremises`, `azureNonCsp` or `dynamics`. */
  contractId?: string;
}

/**
 * Consumes one support incident of an `Active` Signature Product Support or Microsoft Product Support benefit
 * (docs/product.md §5 `SupportIncident`), returning the new benefit (no mutation). Signature support is for
 * cloud products only (2020-09 seed). For on-premises, Azure (non-CSP) and Dynamics products the result
 * carries the benefit's Access ID and Contract ID (2020-09 seed note). Product support accepts every product
 * area (product: the seed names on-premises products, but Action Pack partners have no other break-fix
 * channel).
 * @throws DomainError `not-activatable` (not signatureSupport/productSupport) · `benefit-cancelled` ·
 *   `benefit-not-active` · `validation-failed` (signature support for a non-cloud area, `errors` on
 *   `body.productArea`) · `no-incidents-left` · `internal-error` (an Active benefit without Access/Contract ID).
 */
export function consumeIncident(benefit: Benefit, input: ConsumeIncidentInput): ConsumeIncidentResult {
  const kind = benefit.category === 'technical' ? benefit.technicalKind : undefined;
  if (kind !== 'signatureSupport' && kind !== 'productSupport') {
    throw new DomainError('not-activatable', 'Support incidents are filed on a support benefit.');
  }
  assertUsable(benefit, input.now);
  const { productArea } = input;
  if (kind === 'signatureSupport' && productArea !== 'cloud') {
    throw new DomainError('validation-failed', 'Signature Product Support is for cloud products only.', [
      { field: 'body.productArea', message: "must be 'cloud' for Signature Product Support" },
    ]);
  }
  const remaining = benefit.incidentsRemaining ?? 0;
  if (remaining <= 0) {
    throw new DomainError('no-incidents-left', `No support incidents left on ${benefit.productName}.`);
  }
  const result: ConsumeIncidentResult = { benefit: { ...benefit, incidentsRemaining: remaining - 1 } };
  if (AREAS_NEEDING_ACCESS_IDS.includes(productArea)) {
    if (benefit.accessId === undefined || benefit.contractId === undefined) {
      throw new DomainError(
        'internal-error',
        `${benefit.productName} is Active but has no Access ID / Contract ID.`,
      );
    }
    result.accessId = benefit.accessId;
    result.contractId = benefit.contractId;
  }
  return result;
}
