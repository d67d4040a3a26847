import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Role } from '../src/common/role';
import { makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { request } from './support/http';

/**
 * The dashboard's HTTP side, without a browser: what the hub serves at /dashboard and with which
 * headers. What the page does with it is test/dashboard.e2e.test.ts.
 */
describe('dashboard page over HTTP', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const noFollow: RequestInit = { redirect: 'manual' };

  it('redirects /dashboard to /dashboard/ so the page’s relative asset paths resolve', async () => {
    const response = await request(hub, '/dashboard', noFollow);
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/dashboard/');
  });

  it('serves the page self-only: CSP without inline script or style, nosniff, not cached', async () => {
    const response = await request(hub, '/dashboard/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('has no inline script, style or handler, and loads nothing from another origin', async () => {
    const { text } = await request(hub, '/dashboard/');
    const scripts = text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toEqual([
      '<script src="assets/chart.umd.js" defer></script>'.replace('</script>', ''),
      '<script src="assets/dashboard.js" defer></script>'.replace('</script>', ''),
    ]);
    expect(text).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(text).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves chart.js’s UMD build from node_modules under /dashboard/assets', async () => {
    const response = await request(hub, '/dashboard/assets/chart.umd.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    expect(response.text).toBe(readFileSync(file, 'utf8'));
  });

  it('serves the page’s script and stylesheet with their types', async () => {
    const script = await request(hub, '/dashboard/assets/dashboard.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.text).toContain('sessionStorage');
    const css = await request(hub, '/dashboard/assets/dashboard.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers a missing asset or a path out of the folder with 404, never a file', async () => {
    for (const path of [
      '/dashboard/assets/nothing.js',
      '/dashboard/assets/%2e%2e/dashboard.route.ts',
      '/dashboard/assets/..%2f..%2fconfig.ts',
      '/dashboard/assets/.hidden',
    ]) {
      const response = await request(hub, path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.text).not.toContain('import');
    }
  });

  it('puts no data in the page: numbers come from /graphql with the caller’s token', async () => {
    const { text } = await request(hub, '/dashboard/');
    expect(text).not.toMatch(/\b\d{5}\b/);
    const script = await request(hub, '/dashboard/assets/dashboard.js');
    expect(script.text).toContain("fetch('/graphql'");
    expect(script.text).not.toMatch(/localStorage|document\.cookie|[?&]token=/);
    expect(script.text).toContain("cache: 'no-store'");
  });

  it('the API answers the page’s queries uncacheable', async () => {
    const admin = await makeUser(hub, Role.AGENCY_ADMIN);
    const response = await hub.gql('{ me { role } }', {}, admin.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
