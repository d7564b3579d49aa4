/**
 * The settings schema (src/config.ts), the Bicep app settings, local.settings.sample.json
 * and host.json must agree, and no Bicep file may carry a key or a secret-bearing connection string.
 * Static checks only: no Bicep compiler exists on these machines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigSchema, loadConfig, REQUIRED_SETTINGS } from '../../src/config';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_PATH } from '../../src/local/issuer';

const root = join(__dirname, '..', '..');
const infraDir = join(root, 'infra');

/** Settings that exist only for local emulators (Azure uses the managed identity, and Cosmos DB's defaults). */
const LOCAL_ONLY = [
  'COSMOS_KEY',
  'ACS_CONNECTION_STRING',
  'COSMOS_ENDPOINT_DISCOVERY',
  'COSMOS_BATCH_ROLLBACK',
];

const configKeys = Object.keys(ConfigSchema.shape);

function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  });
}

const bicepFiles = listFiles(infraDir, '.bicep');
const bicepSources = bicepFiles.map((path) => ({
  file: relative(root, path),
  text: readFileSync(path, 'utf8'),
}));
/** Bicep without `//` comments (a `//` inside 'https://…' is kept: it follows a colon). */
const bicepCode = bicepSources.map((s) => s.text.replace(/(^|\s)\/\/.*$/gm, '$1')).join('\n');

/** True when `name` is used as an object property (an app setting name) somewhere in the Bicep code. */
function isBicepSetting(name: string): boolean {
  return new RegExp(`^\\s*'?${name}'?\\s*:`, 'm').test(bicepCode);
}

const localSettings = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as {
  IsEncrypted: boolean;
  Values: Record<string, string>;
};
const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
  version: string;
  functionTimeout?: string;
  extensionBundle?: { id: string; version: string };
  extensions?: { durableTask?: { hubName?: string }; http?: { routePrefix?: string } };
};

describe('settings schema', () => {
  it('has keys to check', () => {
    expect(configKeys.length).toBeGreaterThan(10);
    for (const key of REQUIRED_SETTINGS) expect(configKeys).toContain(key);
    for (const key of LOCAL_ONLY) expect(configKeys).toContain(key);
  });
});

describe('Bicep app settings', () => {
  it('finds the Bicep files', () => {
    expect(bicepSources.map((s) => s.file)).toEqual(expect.arrayContaining(['infra/main.bicep']));
  });

  it.each(configKeys.filter((k) => !LOCAL_ONLY.includes(k)))('sets %s', (key) => {
    expect(isBicepSetting(key)).toBe(true);
  });

  it.each(LOCAL_ONLY)('does not set the local-only %s', (key) => {
    expect(isBicepSetting(key)).toBe(false);
  });

  it('uses identity-based host storage and Entra-authenticated Application Insights', () => {
    for (const key of [
      'AzureWebJobsStorage__accountName',
      'AzureWebJobsStorage__credential',
      'AzureWebJobsStorage__clientId',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    ]) {
      expect(isBicepSetting(key)).toBe(true);
    }
    expect(bicepCode).toMatch(/AzureWebJobsStorage__credential:\s*'managedidentity'/);
    expect(bicepCode).toMatch(/Authorization=AAD/);
    // A plain AzureWebJobsStorage setting would be a connection string.
    expect(isBicepSetting('AzureWebJobsStorage')).toBe(false);
  });

  it('sets production values for the email provider and the data folder', () => {
    expect(bicepCode).toMatch(/EMAIL_PROVIDER:\s*'acs'/);
    expect(bicepCode).toMatch(/DATA_DIR:\s*'\/tmp\/benefits'/);
  });

  it('leaves the worker runtime to Flex Consumption (no FUNCTIONS_WORKER_RUNTIME app setting)', () => {
    expect(isBicepSetting('FUNCTIONS_WORKER_RUNTIME')).toBe(false);
    expect(isBicepSetting('FUNCTIONS_EXTENSION_VERSION')).toBe(false);
    expect(bicepCode).toMatch(/name:\s*'FC1'/);
    expect(bicepCode).toMatch(/'azd-service-name':\s*'api'/);
  });
});

describe('no secrets in infra/', () => {
  const forbidden: Array<[string, RegExp]> = [
    ['listKeys(', /listKeys\s*\(/i],
    ['.listKeys', /\.listKeys\b/i],
    ['listConnectionStrings', /listConnectionStrings/i],
    ['accountKey', /accountKey/i],
    ['AccountKey=', /AccountKey=/i],
    ['accesskey=', /accesskey=/i],
    ['primaryMasterKey', /primaryMasterKey/i],
    ['primaryKey', /primaryKey/i],
    ['SharedAccessKey', /SharedAccessKey/i],
    ['a connectionString: property', /\bconnectionString\s*:/],
    ['a @secure() parameter', /@secure\(\)/],
  ];
  const files = listFiles(infraDir, '').map((path) => ({
    file: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }));

  it.each(forbidden)('no file contains %s', (_label, pattern) => {
    const offenders = files.filter((f) => pattern.test(f.text)).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it('turns local (key) authentication off where the service allows it', () => {
    expect(bicepCode).toMatch(/allowSharedKeyAccess:\s*false/);
    // Cosmos DB and Application Insights.
    expect(bicepCode.match(/disableLocalAuth:\s*true/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });
});

describe('local.settings.sample.json', () => {
  it('targets the Node worker and Azurite', () => {
    expect(localSettings.IsEncrypted).toBe(false);
    expect(localSettings.Values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(localSettings.Values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
  });

  it.each(configKeys)('has %s', (key) => {
    expect(Object.keys(localSettings.Values)).toContain(key);
  });

  it('trusts the local token issuer (tokens from `npm run token`)', () => {
    expect(localSettings.Values.AUTH_ISSUER).toBe(LOCAL_ISSUER);
    expect(localSettings.Values.AUTH_AUDIENCE).toBe(LOCAL_AUDIENCE);
    expect(new URL(localSettings.Values.AUTH_JWKS_URI).pathname).toBe(LOCAL_JWKS_PATH);
  });

  it('passes the settings schema as it stands', () => {
    expect(() => loadConfig({ ...localSettings.Values })).not.toThrow();
    const config = loadConfig({ ...localSettings.Values });
    expect(config.EMAIL_PROVIDER).toBe('outbox');
  });
});

describe('host.json', () => {
  it('uses the v4 extension bundle (Durable Functions for Node v3 needs it)', () => {
    expect(hostJson.version).toBe('2.0');
    expect(hostJson.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
  });

  it('names the Durable Functions task hub', () => {
    const hubName = hostJson.extensions?.durableTask?.hubName ?? '';
    // Task hub names: 3-45 characters, a letter then letters and digits (or an app-setting reference).
    expect(hubName).toMatch(/^([A-Za-z][A-Za-z0-9]{2,44}|%[A-Za-z0-9_]+%)$/);
  });

  it('serves HTTP routes under /api with a bounded timeout', () => {
    expect(hostJson.extensions?.http?.routePrefix).toBe('api');
    expect(hostJson.functionTimeout).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });
});
