/**
 * The benefit catalog, shipped with the project as data (docs/product.md §3, package ids in
 * docs/product.md §10).
 *
 * FROM THE SEEDS (Microsoft Partner Center "Manage your MPN membership benefits", 2017-07 / 2019-10 / 2020-09):
 * - Packages hold "internal-use rights software, cloud services, Visual Studio subscriptions, and support"
 *   (2017-07) and "certain Go-to-market benefits" (2019-10, 2020-09) → the five categories.
 * - Software is activated with "Get keys", choosing a language and an operating-system type (all seeds).
 * - Cloud: "Microsoft Azure usage-based subscriptions" are activated by assigning yourself; "license-based
 *   subscriptions" by Get keys (all seeds).
 * - Visual Studio subscriptions are assigned to users; "reassign … any time" (all seeds).
 * - Technical benefits: "Signature Product Support" for cloud products, "for Gold/Silver competency partners
 *   only (not available to Action Pack subscribers)"; "Microsoft Product support incidents for recent
 *   on-premises products" for Action Pack and Gold/Silver; "Technical Presales and Deployment Services"
 *   (advisory hours) for Action Pack and Gold/Silver (2020-09, "Manage technical benefits").
 * - Go-To-Market offer types "Silver Core", "Gold Core", "ISV Co-sell ready", depending on "your specific
 *   partner level and any competencies" (2020-09, "Manage Go-To-Market offers").
 * - Locales zh-TW, zh-CN, ru-RU of the localized seed files, plus en-US.
 *
 * PRODUCT ASSUMPTIONS (not in the seeds):
 * - Which packages hold which offers: Silver Core → silver-competency, Gold Core → gold-competency,
 *   ISV Co-sell ready → both competency packages; Action Pack has no Go-To-Market offer and no Signature support.
 * - Every number: Visual Studio seats (Gold 25 Enterprise, Silver 10 Enterprise, Action Pack 5 Professional),
 *   incident counts, advisory hours, Go-To-Market term (12 months, docs/product.md §3 default).
 * - Product names and editions, and the language/OS lists per product (de-DE and ja-JP added as common
 *   download languages).
 * - Package eligibility: action-pack open to every level; silver-competency for Silver or Gold; gold-competency
 *   for Gold only (docs/product.md §3: "a competency package needs that competency level or higher").
 *
 * The data is deep-frozen: consumers copy arrays when building benefits (see `provisionBenefits`).
 */
import type { CatalogItem, CatalogPackage, PartnerLevel } from './types';

const ALL_LEVELS: PartnerLevel[] = ['ActionPack', 'Silver', 'Gold'];
const SILVER_AND_GOLD: PartnerLevel[] = ['Silver', 'Gold'];
const GOLD_ONLY: PartnerLevel[] = ['Gold'];

/** Languages offered by Get keys (product assumption; includes the seed locales). */
const KEY_LANGUAGES = ['en-US', 'zh-TW', 'zh-CN', 'ru-RU', 'de-DE', 'ja-JP'];
const WINDOWS_CLIENT_OS = ['Windows x64', 'Windows x86'];
const SERVER_OS = ['Windows x64'];
const M365_OS = ['Windows x64', 'Windows x86', 'macOS'];

/** Go-To-Market offer term in months (docs/product.md §3: "12 months unless the catalog says otherwise"). */
export const DEFAULT_GTM_TERM_MONTHS = 12;

/** The Azure portal, where a usage-based Azure subscription is managed (docs/product.md §3). */
const AZURE_PORTAL_URL = 'https://portal.azure.com/';

/**
 * Special instructions of software products (docs/product.md §3 "follow any special instructions listed"), by
 * catalog item id; products not listed get the general software instructions.
 */
const SOFTWARE_INSTRUCTIONS: Record<string, string> = {
  'office-professional-plus-2019':
    'Install with the Office Deployment Tool from the downloaded image; enter the product key when Office asks for it. Volume-licensed: do not install it next to a Microsoft 365 Apps click-to-run installation.',
  'windows-10-enterprise':
    'Upgrade a Windows 10 Pro device or install from the image, then activate under Settings > Update & Security > Activation with the product key.',
  'windows-server-2019-standard':
    'Choose the Desktop Experience or Server Core option during setup, then activate with slmgr /ipk <product key>. Internal use only: not for hosting services for third parties.',
  'windows-server-2019-datacenter':
    'Choose the Desktop Experience or Server Core option during setup, then activate with slmgr /ipk <product key>. Internal use only: not for hosting services for third parties.',
  'sql-server-2019-standard':
    'Run setup.exe from the image and enter the product key on the Product Key page. Client access licenses are included for internal use only.',
  'sql-server-2019-enterprise':
    'Run setup.exe from the image and enter the product key on the Product Key page. Internal use only: production workloads for customers are not covered.',
  'sharepoint-server-2019':
    'Run the prerequisite installer from the image first, then setup with the product key. Internal use only.',
};

/** The general instructions of a software product without its own. */
const GENERAL_SOFTWARE_INSTRUCTIONS =
  'Download the image for your language and operating system, install it, and activate it with the product key. Keys are for internal use at your organization only; do not share them.';

function software(id: string, productName: string, levels: PartnerLevel[], server: boolean): CatalogItem {
  return {
    id,
    category: 'software',
    productName,
    description: `Internal-use rights license for ${productName}. Select Get keys, then choose a language and operating system to download.`,
    levels,
    languages: KEY_LANGUAGES,
    operatingSystems: server ? SERVER_OS : WINDOWS_CLIENT_OS,
    instructions: SOFTWARE_INSTRUCTIONS[id] ?? GENERAL_SOFTWARE_INSTRUCTIONS,
  };
}

function azure(levels: PartnerLevel[]): CatalogItem {
  return {
    id: 'azure-usage-based',
    category: 'cloud',
    cloudKind: 'usageBased',
    productName: 'Microsoft Azure usage-based subscription',
    description:
      'Monthly Azure credit. Assign yourself as the user, then manage the subscription in the Azure portal.',
    levels,
    seats: 1,
    instructions:
      'Assign yourself as the user, then sign in to the Azure portal with your work account to find the subscription and its monthly credit. The credit is for internal use: development, testing and demos.',
    portalUrl: AZURE_PORTAL_URL,
  };
}

function licenseCloud(id: string, productName: string, levels: PartnerLevel[]): CatalogItem {
  return {
    id,
    category: 'cloud',
    cloudKind: 'licenseBased',
    productName,
    description: `License-based subscription to ${productName}. Select Get keys to copy the license key and follow the instructions.`,
    levels,
    languages: KEY_LANGUAGES,
    operatingSystems: M365_OS,
    instructions: `Sign in to the Microsoft 365 admin center as a global admin, open Billing > Your products, and enter the license key to add the ${productName} licenses; then assign them to users. The installers in the downloads are for the desktop apps.`,
  };
}

function visualStudio(id: string, productName: string, seats: number, levels: PartnerLevel[]): CatalogItem {
  return {
    id,
    category: 'visualStudio',
    productName,
    description: `${seats} ${productName} subscriptions to assign to employees; reassign any time.`,
    levels,
    seats,
    instructions:
      'A global admin assigns each subscription to a user; the user signs in at https://my.visualstudio.com with the assigned email address to download software and activate the monthly Azure credit. Reassign a subscription any time.',
  };
}

function signatureSupport(incidents: number, levels: PartnerLevel[]): CatalogItem {
  return {
    id: 'signature-product-support',
    category: 'technical',
    technicalKind: 'signatureSupport',
    productName: 'Signature Product Support',
    description: 'Break-fix support incidents for cloud products (Gold/Silver competency partners only).',
    levels,
    incidents,
    instructions:
      'Assign a technical contact with an alternate email, then activate: the Access ID and Contract ID are emailed to both addresses. File cloud support incidents here with the remaining balance.',
  };
}

function productSupport(incidents: number, levels: PartnerLevel[]): CatalogItem {
  return {
    id: 'microsoft-product-support',
    category: 'technical',
    technicalKind: 'productSupport',
    productName: 'Microsoft Product Support incidents',
    description:
      'Break-fix support incidents for recent on-premises products; Access ID and Contract ID are required for on-premises, Azure (non-CSP) and Dynamics requests.',
    levels,
    incidents,
    instructions:
      'Assign a technical contact with an alternate email, then activate: the Access ID and Contract ID are emailed to both addresses. Give them with every on-premises, Azure (non-CSP) or Dynamics support incident.',
  };
}

function presales(advisoryHours: number, levels: PartnerLevel[]): CatalogItem {
  return {
    id: 'technical-presales-deployment',
    category: 'technical',
    technicalKind: 'presales',
    productName: 'Technical Presales and Deployment Services',
    description:
      'Advisory hours for presales, design, deployment and app development of cloud and hybrid solutions.',
    levels,
    advisoryHours,
    instructions:
      'Activate, then request a consultation with a topic and the hours you need; the hours are deducted from the remaining balance.',
  };
}

function goToMarket(
  id: string,
  offerType: 'Silver Core' | 'Gold Core' | 'ISV Co-sell ready',
  levels: PartnerLevel[],
): CatalogItem {
  return {
    id,
    category: 'goToMarket',
    offerType,
    productName: `Go-To-Market: ${offerType}`,
    description: `${offerType} Go-To-Market offer. Requires a marketing contact; instructions are emailed to that contact.`,
    levels,
    termMonths: DEFAULT_GTM_TERM_MONTHS,
    instructions:
      'Add a marketing contact first (with an email other than their account email, verified by email), then activate: the instructions go to the marketing contact in their preferred language.',
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * The three packages of the catalog (docs/product.md §3, §10), in ascending order of level.
 * Shape: `CatalogPackage[]`, each item a `CatalogItem` whose `levels` lists the partner levels receiving it.
 * Deep-frozen: never mutate; copy arrays when deriving benefits.
 */
export const CATALOG: readonly CatalogPackage[] = deepFreeze<CatalogPackage[]>([
  {
    id: 'action-pack',
    name: 'Microsoft Action Pack',
    description:
      'Internal-use software, cloud services, Visual Studio subscriptions and technical benefits for every member.',
    eligibleLevels: ALL_LEVELS,
    items: [
      software('office-professional-plus-2019', 'Office Professional Plus 2019', ALL_LEVELS, false),
      software('windows-10-enterprise', 'Windows 10 Enterprise', ALL_LEVELS, false),
      software('windows-server-2019-standard', 'Windows Server 2019 Standard', ALL_LEVELS, true),
      software('sql-server-2019-standard', 'SQL Server 2019 Standard', ALL_LEVELS, true),
      azure(ALL_LEVELS),
      licenseCloud('microsoft-365-business-premium', 'Microsoft 365 Business Premium', ALL_LEVELS),
      visualStudio('visual-studio-professional', 'Visual Studio Professional subscription', 5, ALL_LEVELS),
      productSupport(5, ALL_LEVELS),
      presales(5, ALL_LEVELS),
    ],
  },
  {
    id: 'silver-competency',
    name: 'Silver competency benefits',
    description:
      'Benefits of a Silver competency: software, cloud, Visual Studio, technical and Go-To-Market.',
    eligibleLevels: SILVER_AND_GOLD,
    items: [
      software('office-professional-plus-2019', 'Office Professional Plus 2019', SILVER_AND_GOLD, false),
      software('windows-10-enterprise', 'Windows 10 Enterprise', SILVER_AND_GOLD, false),
      software('windows-server-2019-datacenter', 'Windows Server 2019 Datacenter', SILVER_AND_GOLD, true),
      software('sql-server-2019-enterprise', 'SQL Server 2019 Enterprise', SILVER_AND_GOLD, true),
      azure(SILVER_AND_GOLD),
      licenseCloud('microsoft-365-e3', 'Microsoft 365 E3', SILVER_AND_GOLD),
      visualStudio('visual-studio-enterprise', 'Visual Studio Enterprise subscription', 10, SILVER_AND_GOLD),
      signatureSupport(10, SILVER_AND_GOLD),
      productSupport(10, SILVER_AND_GOLD),
      presales(10, SILVER_AND_GOLD),
      goToMarket('gtm-silver-core', 'Silver Core', SILVER_AND_GOLD),
      goToMarket('gtm-isv-co-sell-ready', 'ISV Co-sell ready', SILVER_AND_GOLD),
    ],
  },
  {
    id: 'gold-competency',
    name: 'Gold competency benefits',
    description: 'Benefits of a Gold competency: software, cloud, Visual Studio, technical and Go-To-Market.',
    eligibleLevels: GOLD_ONLY,
    items: [
      software('office-professional-plus-2019', 'Office Professional Plus 2019', GOLD_ONLY, false),
      software('windows-10-enterprise', 'Windows 10 Enterprise', GOLD_ONLY, false),
      software('windows-server-2019-datacenter', 'Windows Server 2019 Datacenter', GOLD_ONLY, true),
      software('sql-server-2019-enterprise', 'SQL Server 2019 Enterprise', GOLD_ONLY, true),
      software('sharepoint-server-2019', 'SharePoint Server 2019', GOLD_ONLY, true),
      azure(GOLD_ONLY),
      licenseCloud('microsoft-365-e3', 'Microsoft 365 E3', GOLD_ONLY),
      licenseCloud('dynamics-365-sales', 'Dynamics 365 Sales Enterprise', GOLD_ONLY),
      visualStudio('visual-studio-enterprise', 'Visual Studio Enterprise subscription', 25, GOLD_ONLY),
      signatureSupport(20, GOLD_ONLY),
      productSupport(20, GOLD_ONLY),
      presales(50, GOLD_ONLY),
      goToMarket('gtm-gold-core', 'Gold Core', GOLD_ONLY),
      goToMarket('gtm-isv-co-sell-ready', 'ISV Co-sell ready', GOLD_ONLY),
    ],
  },
]);

/**
 * The package with this id (`action-pack`, `silver-competency`, `gold-competency`), or `undefined`.
 * Callers answer `not-found` for an unknown id. Source: docs/product.md §10.
 */
export function getPackage(id: string): CatalogPackage | undefined {
  return CATALOG.find((p) => p.id === id);
}

/**
 * The catalog item `itemId` of package `packageId` (a benefit's `packageId` + `catalogItemId`), or `undefined`
 * when either is unknown. Used e.g. for a Go-To-Market offer's `termMonths` (docs/product.md §3).
 */
export function getCatalogItem(packageId: string, itemId: string): CatalogItem | undefined {
  return getPackage(packageId)?.items.find((i) => i.id === itemId);
}
