/**
 * Application settings, read once from the environment and validated with zod.
 * Every setting here must appear in infra/ app settings and local.settings.sample.json.
 */
import * as z from 'zod';
import { Duration } from 'luxon';

// luxon builds a locale for every duration; naming it keeps the system locale lookup (Intl initialisation, ~30 ms
// of a cold start) out of the first request.
const isoDuration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => {
        const d = Duration.fromISO(v, { locale: 'en-US' });
        return d.isValid && d.toMillis() > 0;
      },
      { message: 'must be a positive ISO 8601 duration such as P3D or PT30S' },
    );

/**
 * Six NCRONTAB fields of the characters NCRONTAB uses. The full grammar is checked where the schedule is used:
 * by the Functions host when it loads the timer trigger (Azure) and by the local host when it schedules it
 * (cron-parser); the app itself never reads the setting. Parsing it here too cost every cold start ~40 ms
 * (cron-parser initialises `Intl` through luxon) for no use (docs/decisions.md, "Cold start").
 */
const ncrontab = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => /^\s*[\w*?,/#-]+(\s+[\w*?,/#-]+){5}\s*$/.test(v), {
      message:
        'must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})',
    });

/** The settings schema; keys are the environment variable names. */
export const ConfigSchema = z
  .object({
    /** Cosmos DB account endpoint, e.g. https://<account>.documents.azure.com:443/. */
    COSMOS_ENDPOINT: z.url(),
    /** Account key: local emulators only. Unset in Azure, where the managed identity is used. */
    COSMOS_KEY: z.string().min(1).optional(),
    COSMOS_DATABASE: z.string().min(1).default('benefits'),
    COSMOS_CONTAINER: z.string().min(1).default('benefits'),
    /**
     * Whether the Cosmos client discovers the account's regional endpoints (`true`, Cosmos DB). Local only:
     * `false` for a single-endpoint server (the embedded one), which has no regions to discover.
     */
    COSMOS_ENDPOINT_DISCOVERY: z.stringbool().default(true),
    /**
     * Whether the server rolls back a refused transactional batch (`true`, Cosmos DB). Local only: `false` for the
     * embedded server, which applies a batch up to its first refusal; the store then compensates
     * (`CosmosQuirks.batchesWithoutRollback`, src/store/ports.ts).
     */
    COSMOS_BATCH_ROLLBACK: z.stringbool().default(true),
    /** Client id of the user-assigned managed identity (Azure); DefaultAzureCredential reads it. */
    AZURE_CLIENT_ID: z.string().optional(),
    /** Expected `iss` of bearer tokens. */
    AUTH_ISSUER: z.string().min(1),
    /** Expected `aud` of bearer tokens. */
    AUTH_AUDIENCE: z.string().min(1),
    /** JWKS document URL of the token issuer. */
    AUTH_JWKS_URI: z.url(),
    /** `outbox` writes one file per message under DATA_DIR/outbox; `acs` sends through ACS Email. */
    EMAIL_PROVIDER: z.enum(['outbox', 'acs']).default('outbox'),
    /** ACS endpoint (managed identity), e.g. https://<resource>.communication.azure.com. */
    ACS_ENDPOINT: z.url().optional(),
    /** ACS connection string: local development only. */
    ACS_CONNECTION_STRING: z.string().optional(),
    /** The verified sender, e.g. DoNotReply@<guid>.azurecomm.net. */
    EMAIL_SENDER_ADDRESS: z.string().default('DoNotReply@benefits.local'),
    /** Local data folder: outbox, local issuer keys. */
    DATA_DIR: z.string().default('.data'),
    /** Public base URL used in links inside emails (verification page). */
    PUBLIC_BASE_URL: z.url().default('http://localhost:7071'),
    /**
     * docs/product.md §3: where the installation media of software benefits are downloaded from
     * (`…/<catalog item>/<language>/
     * <os>/<file>`). Unset: `PUBLIC_BASE_URL` + `/api/downloads`, the service's own placeholder route.
     */
    DOWNLOADS_BASE_URL: z.url().optional(),
    /** docs/product.md §6 step 2: how long an activation waits for processing. */
    ACTIVATION_PROCESSING_TIME: isoDuration('P3D'),
    /** docs/product.md §6 step 3: how long a Go-To-Market activation waits for the contact's verification. */
    CONTACT_VERIFICATION_TIMEOUT: isoDuration('P7D'),
    /** docs/product.md §8: when the expiry sweep runs. */
    EXPIRY_SWEEP_SCHEDULE: ncrontab('0 0 * * * *'),
    /**
     * The lease container of the outbox relay's change-feed trigger (functions/outbox.ts), in `COSMOS_DATABASE`.
     * Read by the Functions host (binding expression), not by the app.
     */
    COSMOS_LEASE_CONTAINER: z.string().min(1).default('leases'),
    /**
     * When the timer retries owed emails the change feed did not settle (functions/outbox.ts; default every
     * minute).
     */
    OUTBOX_RETRY_SCHEDULE: ncrontab('0 * * * * *'),
    /** docs/product.md §8: most benefits one sweep run expires (the rest wait for the next run). */
    EXPIRY_SWEEP_BUDGET: z.coerce.number().int().min(1).max(100000).default(1000),
  })
  .superRefine((c, ctx) => {
    if (c.EMAIL_PROVIDER === 'acs' && !c.ACS_ENDPOINT && !c.ACS_CONNECTION_STRING) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACS_ENDPOINT'],
        message: 'EMAIL_PROVIDER=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING',
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Settings the app cannot start without (no default); used by the infra/settings test. */
export const REQUIRED_SETTINGS = [
  'COSMOS_ENDPOINT',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
] as const;

/**
 * Parses settings from `env`.
 * @throws Error listing every missing or invalid setting by name.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Config | undefined;
/** The process-wide configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
/**
 * The base URL of download links (docs/product.md §3): `DOWNLOADS_BASE_URL`, else the service's own
 * `/api/downloads`.
 */
export function downloadsBaseUrl(config: Pick<Config, 'DOWNLOADS_BASE_URL' | 'PUBLIC_BASE_URL'>): string {
  return (config.DOWNLOADS_BASE_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/downloads`).replace(
    /\/+$/,
    '',
  );
}
