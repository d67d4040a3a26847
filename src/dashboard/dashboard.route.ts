import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import express, { type Express, type Response } from 'express';
import { countyShapes } from './county-map';

/**
 * The dashboard page at /dashboard: static HTML, one script and one stylesheet from
 * `public/`, and chart.js's UMD build from node_modules. It holds no data of its own: the page
 * asks /graphql with the token the user pastes, under the same permissions as any client.
 */

/** Self only, no inline script or style, not framable, no form posts elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `public/` sits next to this file in src (ts-jest) and in dist once the build has copied it
 * there; from dist the source copy is the fallback, for a build made without that step.
 */
export function dashboardPublicDir(): string {
  const candidates = [
    join(__dirname, 'public'),
    resolve(__dirname, '..', '..', '..', 'src', 'dashboard', 'public'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error('dashboard: public/index.html not found next to the module');
  return found;
}

/** chart.js exports no subpath to its UMD build: it sits next to the CommonJS entry in dist/. */
function chartJsFile(): string {
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
  if (!existsSync(file)) throw new Error('dashboard: chart.js/dist/chart.umd.js not found');
  return file;
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/** Registers GET /dashboard and /dashboard/assets/* on the app (before its 404 handler). */
export function mountDashboard(app: Express): void {
  const publicDir = dashboardPublicDir();
  const chartJs = chartJsFile();
  const chartJsDir = dirname(chartJs);
  const router = express.Router({ strict: true });

  router.use((_req, res, next) => {
    securityHeaders(res);
    next();
  });

  // The page itself: never cached, so a new deployment's page and script arrive together.
  router.get(['/', '/index.html'], (req, res) => {
    if (req.originalUrl.split('?')[0] === '/dashboard') {
      // Relative asset URLs need the trailing slash.
      res.redirect(301, '/dashboard/');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(join(publicDir, 'index.html'));
  });

  router.get('/assets/chart.umd.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile('chart.umd.js', { root: chartJsDir });
  });

  // County outlines of one state (two-digit FIPS) for the map, from us-atlas.
  router.get('/assets/counties/:state.json', (req, res) => {
    const state = String(req.params.state);
    if (!/^\d{2}$/.test(state)) {
      res
        .status(404)
        .json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=86400');
    // A code with no counties (a territory, an unused code): an empty map, not an error.
    res.json(countyShapes(state) ?? { type: 'FeatureCollection', features: [] });
  });

  router.use(
    '/assets',
    express.static(publicDir, {
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );

  app.use('/dashboard', router);
}
