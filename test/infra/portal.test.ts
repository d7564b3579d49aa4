/**
 * The portal's Azure deployment, checked statically (no Bicep compiler or Azure account here;
 * docs/decisions.md "Portal in Azure"): azure.yaml deploys the `web` service to Static Web Apps, the Bicep
 * links API Management as its backend and restores the caller's token, and staticwebapp.config.json has the SPA
 * fallback and the security headers (docs/product.md §11).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PORTAL_SECURITY_HEADERS } from '../../src/local/portal';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');
  it('deploys the api and the web service; web is the production build of the portal', () => {
    expect(yaml).toMatch(/^ {2}api:\n(?: {4}.*\n)*? {4}host: function$/m);
    expect(yaml).toMatch(/^ {2}web:\n(?: {4}.*\n)*? {4}host: staticwebapp$/m);
    expect(yaml).toMatch(/^ {4}dist: dist-swa$/m);
    expect(yaml).toMatch(/run: npm run build:web/);
    expect(yaml).toMatch(/postprovision:\n\s+shell: sh\n\s+run: infra\/hooks\/postprovision\.sh/);
    accessSync(join(root, 'infra', 'hooks', 'postprovision.sh'), constants.X_OK);
  });
  it('npm run build:web builds in production mode (Entra ID sign-in, no local sign-in)', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build:web']).toMatch(/vite build .*--mode production/);
  });
});

describe('Bicep', () => {
  const web = read('infra/app/web.bicep');
  const gateway = read('infra/app/gateway.bicep');
  const main = read('infra/main.bicep');
  it('a Standard Static Web App tagged for azd as web', () => {
    expect(web).toMatch(/Microsoft\.Web\/staticSites@/);
    expect(web).toMatch(/name: 'Standard'/);
    expect(web).toMatch(/'azd-service-name': 'web'/);
  });
  it('API Management (Consumption) forwards /api to the Function App and is the linked backend', () => {
    expect(gateway).toMatch(/name: 'Consumption'/);
    expect(gateway).toMatch(/path: 'api'/);
    expect(gateway).toMatch(/serviceUrl: 'https:\/\/\$\{functionAppHostName\}\/api'/);
    expect(gateway).toMatch(/Microsoft\.Web\/staticSites\/linkedBackends@[\s\S]*backendResourceId: apim\.id/);
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) expect(gateway).toContain(`'${m}'`);
  });
  it('the API policy puts X-Client-Authorization back into Authorization, after the product policy', () => {
    expect(gateway).toMatch(
      /<inbound>\s*<base \/>[\s\S]*<set-header name="Authorization" exists-action="override">[\s\S]*X-Client-Authorization/,
    );
    // The portal sends it only in the deployed build.
    expect(read('src/web/src/api/client.ts')).toMatch(
      /if \(!__LOCAL_SIGN_IN__\) request\.headers\.set\('X-Client-Authorization'/,
    );
  });
  it('email links default to the portal; the web build gets its Entra ID settings as outputs', () => {
    expect(main).toMatch(/publicBaseUrl: empty\(publicBaseUrl\) \? web\.outputs\.uri : publicBaseUrl/);
    for (const out of ['VITE_ENTRA_CLIENT_ID', 'VITE_ENTRA_AUTHORITY', 'VITE_API_SCOPE', 'PORTAL_URL'])
      expect(main).toMatch(new RegExp(`^output ${out} `, 'm'));
  });
});

describe('staticwebapp.config.json', () => {
  const config = JSON.parse(read('src/web/public/staticwebapp.config.json')) as {
    navigationFallback: { rewrite: string; exclude: string[] };
    globalHeaders: Record<string, string>;
  };
  it('falls back to index.html for client routes, never for /api or assets', () => {
    expect(config.navigationFallback.rewrite).toBe('/index.html');
    expect(config.navigationFallback.exclude).toEqual(expect.arrayContaining(['/api/*', '/assets/*']));
  });
  it('security headers: CSP without inline or eval scripts, nosniff, a referrer policy; the local host matches', () => {
    const csp = config.globalHeaders['Content-Security-Policy'];
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1];
    expect(scriptSrc).toBe("'self'");
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(config.globalHeaders['X-Content-Type-Options']).toBe('nosniff');
    expect(config.globalHeaders['Referrer-Policy']).toBe('no-referrer');
    // npm start serves the same policy, less the Entra ID hosts the local sign-in does not use.
    const local = PORTAL_SECURITY_HEADERS['Content-Security-Policy'];
    const withoutLogin = csp
      .replace(' https://login.microsoftonline.com', '')
      .replace(' frame-src https://login.microsoftonline.com;', '');
    expect(local).toBe(withoutLogin);
    expect(PORTAL_SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(PORTAL_SECURITY_HEADERS['Referrer-Policy']).toBe('no-referrer');
  });
});
