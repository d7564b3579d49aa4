/**
 * Settings validation (src/config.ts): a bad value is named in the error. The timer schedule is checked for the
 * six NCRONTAB fields here; its full grammar is the Functions host's (Azure) and the local host's (cron-parser),
 * which read it (docs/decisions.md, "Cold start").
 */
import { loadConfig } from '../../src/config';

const base = {
  COSMOS_ENDPOINT: 'https://benefits.documents.azure.com:443/',
  AUTH_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
  AUTH_AUDIENCE: 'api://partner-benefits',
  AUTH_JWKS_URI: 'https://login.microsoftonline.com/tenant/discovery/v2.0/keys',
};

const rejection = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

test('defaults: hourly sweep, P3D processing, P7D contact verification', () => {
  expect(loadConfig(base)).toMatchObject({
    EXPIRY_SWEEP_SCHEDULE: '0 0 * * * *',
    ACTIVATION_PROCESSING_TIME: 'P3D',
    CONTACT_VERIFICATION_TIMEOUT: 'P7D',
  });
});

test.each(['0 */5 * * * *', '0 30 9 * * Mon-Fri', ' 0 0 0 1 1 * ', '*/10 * * * * *'])(
  'accepts the six-field NCRONTAB %j',
  (schedule) => expect(rejection({ EXPIRY_SWEEP_SCHEDULE: schedule })).toBeUndefined(),
);

test.each(['0 0 * * *', '0 0 * * * * *', 'hourly', '0 0 * * * $', ''])(
  'refuses the schedule %j, naming the setting',
  (schedule) =>
    expect(rejection({ EXPIRY_SWEEP_SCHEDULE: schedule })).toMatch(
      /EXPIRY_SWEEP_SCHEDULE: must be a six-field NCRONTAB expression/,
    ),
);

test.each([
  ['PT10S', undefined],
  ['P3D', undefined],
  ['PT0S', /ACTIVATION_PROCESSING_TIME: must be a positive ISO 8601 duration/],
  ['3 days', /ACTIVATION_PROCESSING_TIME: must be a positive ISO 8601 duration/],
])('ACTIVATION_PROCESSING_TIME %j', (value, error) => {
  const message = rejection({ ACTIVATION_PROCESSING_TIME: value });
  if (error) expect(message).toMatch(error);
  else expect(message).toBeUndefined();
});
