/**
 * "Get keys" for software and license-based cloud benefits (seeds, "Manage software benefits" / "Manage cloud
 * services benefits"; docs/product.md §3), and the public view of a benefit that never shows keys.
 */
import { assertNotCancelled } from './assignments';
import { DomainError, type FieldError } from './errors';
import { computeExpiresAt } from './expiry';
import { getCatalogItem } from './catalog';
import type { Benefit } from './types';

/** Base of the download links returned by `revealKeys` unless the caller gives another (product). */
const DEFAULT_DOWNLOAD_BASE_URL = 'https://downloads.partner-benefits.example/software';

/** A revealed product key. */
export interface RevealedKey {
  productKey: string;
  language: string;
  operatingSystem: string;
}

/** A download link for an installation package. */
export interface DownloadLink {
  language: string;
  operatingSystem: string;
  url: string;
  fileName: string;
}

/** Input of `revealKeys`. */
export interface RevealKeysInput {
  /** One of the benefit's `languages` (e.g. `zh-TW`). */
  language: string;
  /** One of the benefit's `operatingSystems` (e.g. `Windows x64`). */
  operatingSystem: string;
  now: Date;
  /** The partner's membership end (ISO 8601): `expiresAt` on the first reveal (docs/product.md §3). */
  membershipExpiresAt: string;
  /** Generator of a new product key (the domain has no randomness); called only for a new language/OS pair. */
  randomKey: () => string;
  /** Base URL of download links; default `DEFAULT_DOWNLOAD_BASE_URL`. */
  downloadBaseUrl?: string;
}

/**
 * Result of `revealKeys`. `firstReveal` is true when the benefit had no key before (audit it,
 * docs/product.md §3).
 */
export interface RevealKeysResult {
  benefit: Benefit;
  keys: RevealedKey[];
  downloads: DownloadLink[];
  /**
   * The product's special instructions from the catalog (docs/product.md §3: "follow any special instructions
   * listed").
   */
  instructions: string;
  firstReveal: boolean;
}

/** Key of `Benefit.secretKeys` for a language/OS pair: `${language}|${operatingSystem}`. */
function secretKeyId(language: string, operatingSystem: string): string {
  return `${language}|${operatingSystem}`;
}

/**
 * True when keys can be revealed for the benefit: `software` and `cloud`/`licenseBased` (docs/product.md §3).
 */
function hasKeys(benefit: Pick<Benefit, 'category' | 'cloudKind'>): boolean {
  return (
    benefit.category === 'software' || (benefit.category === 'cloud' && benefit.cloudKind === 'licenseBased')
  );
}

/**
 * Reveals the product key and download link of a software or license-based cloud benefit for one language and OS
 * (docs/product.md §3 "Get keys"). Returns a new benefit (no mutation) whose
 * `secretKeys[`${language}|${operatingSystem}`]` holds the key, so a repeated reveal returns the same key
 * without calling `randomKey`. The first reveal (no key stored yet) marks a not-yet-Active benefit `Active`
 * with `activatedAt` = `now` and `expiresAt` = membership end.
 *
 * The caller must also record software reveals on the purchase (`recordKeyReveal`, docs/product.md §4
 * refunds).
 * @throws DomainError `not-activatable` (not software / license-based cloud) · `benefit-cancelled` ·
 *   `benefit-not-active` (benefit `Expired`) · `validation-failed` with `errors` on `body.language` and/or
 *   `body.operatingSystem` listing the allowed values · `internal-error` (invalid `membershipExpiresAt`).
 */
export function revealKeys(benefit: Benefit, input: RevealKeysInput): RevealKeysResult {
  if (!hasKeys(benefit)) {
    throw new DomainError('not-activatable', 'This benefit has no product keys.');
  }
  assertNotCancelled(benefit);
  if (benefit.status === 'Expired') {
    throw new DomainError('benefit-not-active', `${benefit.productName} has expired.`);
  }
  const { language, operatingSystem, now } = input;
  const languages = benefit.languages ?? [];
  const systems = benefit.operatingSystems ?? [];
  const errors: FieldError[] = [];
  if (!languages.includes(language)) {
    errors.push({ field: 'body.language', message: `must be one of: ${languages.join(', ')}` });
  }
  if (!systems.includes(operatingSystem)) {
    errors.push({ field: 'body.operatingSystem', message: `must be one of: ${systems.join(', ')}` });
  }
  if (errors.length > 0) {
    throw new DomainError(
      'validation-failed',
      `${benefit.productName} is not offered in that language or OS.`,
      errors,
    );
  }

  const stored = benefit.secretKeys ?? {};
  const firstReveal = Object.keys(stored).length === 0;
  const id = secretKeyId(language, operatingSystem);
  const productKey = stored[id] ?? input.randomKey();

  let next: Benefit = { ...benefit, secretKeys: { ...stored, [id]: productKey } };
  if (benefit.status !== 'Active') {
    next = {
      ...next,
      status: 'Active',
      activatedAt: now.toISOString(),
      expiresAt: computeExpiresAt(benefit, now, input.membershipExpiresAt),
    };
  }
  return {
    benefit: next,
    keys: [{ productKey, language, operatingSystem }],
    downloads: [
      downloadLink(benefit, language, operatingSystem, input.downloadBaseUrl ?? DEFAULT_DOWNLOAD_BASE_URL),
    ],
    instructions: getCatalogItem(benefit.packageId, benefit.catalogItemId)?.instructions ?? '',
    firstReveal,
  };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * The download link of a benefit's installation package (product): `${base}/${catalogItemId}/${language}/${os}/
 * ${fileName}`, `fileName` = `${product}_${language}_${os}.${pkg|iso}` (`.pkg` for macOS, `.iso` otherwise).
 */
export function downloadLink(
  benefit: Pick<Benefit, 'catalogItemId' | 'productName'>,
  language: string,
  operatingSystem: string,
  baseUrl: string = DEFAULT_DOWNLOAD_BASE_URL,
): DownloadLink {
  const os = slug(operatingSystem);
  const ext = operatingSystem === 'macOS' ? 'pkg' : 'iso';
  const fileName = `${slug(benefit.productName)}_${language}_${os}.${ext}`;
  const url = [baseUrl.replace(/\/+$/, ''), benefit.catalogItemId, language, os, fileName]
    .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
    .join('/');
  return { language, operatingSystem, url, fileName };
}

/**
 * Every field of `Benefit` except the internal ones (`secretKeys`, the sweep's `expiryNotice`, the notice schedule
 * `nextNoticeAt` and `notices`), so adding a field to `Benefit` forces a decision here
 * (compile error until it is listed or excluded).
 */
const PUBLIC_BENEFIT_FIELDS: Record<
  Exclude<keyof Benefit, 'secretKeys' | 'expiryNotice' | 'nextNoticeAt' | 'notices'>,
  true
> = {
  id: true,
  partnerId: true,
  purchaseId: true,
  packageId: true,
  catalogItemId: true,
  category: true,
  productName: true,
  offerType: true,
  cloudKind: true,
  technicalKind: true,
  status: true,
  seats: true,
  assignments: true,
  languages: true,
  operatingSystems: true,
  activatedAt: true,
  expiresAt: true,
  accessId: true,
  contractId: true,
  incidentsRemaining: true,
  advisoryHoursRemaining: true,
  activation: true,
  createdAt: true,
};
const PUBLIC_KEYS = Object.keys(PUBLIC_BENEFIT_FIELDS) as (keyof Benefit)[];

/** A benefit as the API shows it: the public fields plus its catalog item's `instructions` and `portalUrl`. */
export type PublicBenefit = Benefit & { instructions?: string; portalUrl?: string };

/**
 * The benefit as list/get responses show it (docs/product.md §3: "keys never appear in list/get responses"):
 * a copy holding only the public fields of `Benefit` — `secretKeys` and anything not declared on `Benefit`
 * (e.g. store metadata such as `_etag`) are dropped; assignments are copied — plus, from its catalog item,
 * the product's special `instructions` and, where it has one, the `portalUrl` where it is managed
 * (usage-based Azure: the Azure portal).
 */
export function toPublicBenefit(benefit: Benefit): PublicBenefit {
  const out: Record<string, unknown> = {};
  for (const key of PUBLIC_KEYS) {
    if (benefit[key] !== undefined) out[key] = benefit[key];
  }
  out.assignments = benefit.assignments.map((a) => ({ ...a }));
  const item = getCatalogItem(benefit.packageId, benefit.catalogItemId);
  if (item?.instructions) out.instructions = item.instructions;
  if (item?.portalUrl) out.portalUrl = item.portalUrl;
  return out as unknown as PublicBenefit;
}
