import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import express, { type Express } from 'express';

/**
 * The field app at /app: the static build of `app/` (vite, in `npm run build`). Everything it
 * needs comes from here; it talks only to /graphql and /auth on the same origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/app, next to dist/src in a build; from the sources (ts-jest) the same folder. */
export function fieldAppDir(): string | undefined {
  const base = resolve(__dirname, '..', '..');
  const dir = basename(base) === 'dist' ? join(base, 'app') : join(base, 'dist', 'app');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export function mountFieldApp(app: Express): void {
  const router = express.Router({ strict: true });
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    // Location for the quick report; nothing else the page does not use.
    res.setHeader('Permissions-Policy', 'geolocation=(self), camera=(), microphone=()');
    next();
  });
  router.use((req, res, next) => {
    // Looked up per request: a build made while the hub runs (tests) is picked up.
    const dir = fieldAppDir();
    if (!dir) {
      res.status(503).type('text/plain').send('The field app is not built: run npm run build.');
      return;
    }
    if (req.path === '/' && req.originalUrl.split('?')[0] === '/app') {
      res.redirect(301, '/app/');
      return;
    }
    const noCache =
      req.path === '/' ||
      req.path === '/index.html' ||
      req.path === '/sw.js' ||
      req.path === '/manifest.webmanifest';
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'deny',
      setHeaders: (r, path) => {
        // Hashed asset names never change; the page, worker and manifest must be fresh.
        r.setHeader(
          'Cache-Control',
          noCache || !/\/assets\//.test(path) ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
        if (path.endsWith('sw.js')) r.setHeader('Service-Worker-Allowed', '/app/');
      },
    })(req, res, next);
  });
  app.use('/app', router);
}
