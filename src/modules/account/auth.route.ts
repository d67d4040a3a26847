import express, { type Express, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Logger } from '../../logger';
import { authenticate } from '../../auth/authenticate';
import type { TokenVerifier } from '../../auth/tokens';
import type { Viewer } from '../../auth/viewer';
import type { RateLimiter } from '../../limits/rate-limit';
import { recordAuditEvent } from '../audit/audit-writer';
import { ActorKind, AuditOutcome } from '../audit/audit-codes';
import { SignInMethod } from './account.entities';
import { AccountAction } from './account-codes';
import { openStep, sealStep, STEP_COOKIE_SECONDS } from './challenge-cookie';
import { finishOidc, startOidc } from './oidc.service';
import {
  authenticationOptions,
  finishAuthentication,
  finishRegistration,
  registrationOptions,
  type RelyingParty,
} from './passkey.service';
import { checkPassword, newPasswordProblem, setPassword, viewerOfUser } from './password.service';
import {
  endSessionByRefreshToken,
  openSession,
  refreshSession,
  type IssuedTokens,
} from './session.service';

/**
 * Sign-in for people at a browser, at /auth: password, passkey and OpenID Connect, each ending in
 * a short access token (kept in the page's memory) and a rotating refresh token in an HttpOnly,
 * SameSite=Strict cookie that only /auth ever receives. Errors are codes (the field app words
 * them in the user's language), never a hint whether an account exists.
 */
const REFRESH_COOKIE = 'hub_refresh';
const STEP_COOKIE = 'hub_step';

export interface AuthRouteDeps {
  orm: MikroORM;
  config: ReadyConfig;
  logger: Logger;
  verifyToken: TokenVerifier;
  rateLimiter: RateLimiter;
}

function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

function secure(config: ReadyConfig, req: Request): boolean {
  return config.env === 'production' || req.protocol === 'https';
}

function setCookie(
  res: Response,
  req: Request,
  config: ReadyConfig,
  name: string,
  value: string,
  maxAgeSeconds: number,
  sameSite: 'Strict' | 'Lax' = 'Strict',
): void {
  const attributes = [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/auth',
    'HttpOnly',
    `SameSite=${sameSite}`,
    `Max-Age=${maxAgeSeconds}`,
    ...(secure(config, req) ? ['Secure'] : []),
  ];
  res.append('Set-Cookie', attributes.join('; '));
}

function origin(config: ReadyConfig, req: Request): string {
  return config.account.publicOrigin ?? `${req.protocol}://${req.get('host')}`;
}

function relyingParty(config: ReadyConfig, req: Request): RelyingParty {
  const base = origin(config, req);
  return { id: new URL(base).hostname, origin: base, name: 'Overdose Response Hub' };
}

const fail = (res: Response, status: number, code: string, extra: object = {}) =>
  res.status(status).json({ error: { code, ...extra } });

export function mountAuth(app: Express, deps: AuthRouteDeps): void {
  const { orm, config, logger } = deps;
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Only JSON bodies: a cross-site form cannot send one without a CORS preflight the hub refuses.
  router.use(express.json({ limit: '64kb', type: 'application/json' }));
  router.use((req, res, next) => {
    if (req.method === 'POST' && !req.is('application/json')) {
      fail(res, 415, 'JSON_REQUIRED');
      return;
    }
    next();
  });

  const em = () => orm.em.fork() as EntityManager;
  const requestId = (res: Response) => res.locals.requestId as string;

  const throttle = async (req: Request, res: Response): Promise<boolean> => {
    try {
      await deps.rateLimiter.consume('anonymous', req.ip ?? 'unknown');
      return true;
    } catch (error) {
      if (error instanceof GraphQLError) {
        fail(res, 429, 'TOO_MANY_REQUESTS');
        return false;
      }
      throw error;
    }
  };

  const signedIn = (req: Request, res: Response, tokens: IssuedTokens, extra: object = {}) => {
    setCookie(
      res,
      req,
      config,
      REFRESH_COOKIE,
      tokens.refreshToken,
      config.account.sessionIdleSeconds,
    );
    res.json({ accessToken: tokens.accessToken, expiresIn: tokens.expiresIn, ...extra });
  };

  const bearer = async (req: Request, res: Response): Promise<Viewer | null> => {
    const viewer = await authenticate(req.header('authorization'), em(), deps.verifyToken).catch(
      () => null,
    );
    if (!viewer || viewer.kind !== 'USER') fail(res, 401, 'UNAUTHENTICATED');
    return viewer?.kind === 'USER' ? viewer : null;
  };

  router.get('/config', (_req, res) => {
    res.json({
      identityProviders: config.account.oidcProviders.map((p) => ({
        id: p.agencyId,
        label: p.label,
      })),
      deviceIdleMinutes: config.account.deviceIdleMinutes,
      vapidPublicKey: config.alerts.vapid?.publicKey ?? null,
    });
  });

  router.post('/password', async (req, res) => {
    if (!(await throttle(req, res))) return;
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || email.trim() === '')
      return fail(res, 400, 'FIELD_REQUIRED', { field: 'email' });
    if (typeof password !== 'string' || password === '')
      return fail(res, 400, 'FIELD_REQUIRED', { field: 'password' });
    const tx = em();
    const check = await checkPassword(tx, config, email, password, requestId(res));
    if (check.kind === 'INVALID') return fail(res, 401, 'INVALID_CREDENTIALS');
    if (check.kind === 'LOCKED') return fail(res, 423, 'LOCKED', { minutes: check.minutes });
    if (check.kind === 'CHANGE_REQUIRED') return fail(res, 403, 'PASSWORD_CHANGE_REQUIRED');
    signedIn(
      req,
      res,
      await openSession(tx, config, check.viewer, SignInMethod.PASSWORD, requestId(res)),
    );
  });

  /** With the current (or temporary) password: set a new one and sign in. */
  router.post('/password/change', async (req, res) => {
    if (!(await throttle(req, res))) return;
    const { email, password, newPassword } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string')
      return fail(res, 400, 'FIELD_REQUIRED', { field: 'password' });
    const problem = newPasswordProblem(newPassword, password);
    if (problem) return fail(res, 400, 'WEAK_PASSWORD', { field: 'newPassword', problem });
    const tx = em();
    const check = await checkPassword(tx, config, email, password, requestId(res));
    if (check.kind === 'INVALID') return fail(res, 401, 'INVALID_CREDENTIALS');
    if (check.kind === 'LOCKED') return fail(res, 423, 'LOCKED', { minutes: check.minutes });
    await setPassword(tx, check.viewer, newPassword as string, requestId(res));
    signedIn(
      req,
      res,
      await openSession(tx, config, check.viewer, SignInMethod.PASSWORD, requestId(res)),
    );
  });

  router.post('/refresh', async (req, res) => {
    const token = cookies(req)[REFRESH_COOKIE];
    const tokens = token ? await refreshSession(em(), config, token, requestId(res)) : null;
    if (!tokens) {
      setCookie(res, req, config, REFRESH_COOKIE, '', 0);
      return fail(res, 401, 'SESSION_ENDED');
    }
    signedIn(req, res, tokens);
  });

  router.post('/sign-out', async (req, res) => {
    const token = cookies(req)[REFRESH_COOKIE];
    const tx = em();
    const userId = token ? await endSessionByRefreshToken(tx, token) : null;
    if (userId) {
      const viewer = await viewerOfUser(tx, userId);
      await recordAuditEvent(tx, {
        viewer,
        action: AccountAction.SIGN_OUT,
        requestId: requestId(res),
      });
    }
    setCookie(res, req, config, REFRESH_COOKIE, '', 0);
    res.json({ signedOut: true });
  });

  router.post('/passkey/options', async (req, res) => {
    if (!(await throttle(req, res))) return;
    const options = await authenticationOptions(relyingParty(config, req));
    setCookie(
      res,
      req,
      config,
      STEP_COOKIE,
      await sealStep(config, 'passkey-sign-in', { challenge: options.challenge }),
      STEP_COOKIE_SECONDS,
    );
    res.json(options);
  });

  router.post('/passkey/verify', async (req, res) => {
    if (!(await throttle(req, res))) return;
    const step = await openStep(config, 'passkey-sign-in', cookies(req)[STEP_COOKIE]);
    setCookie(res, req, config, STEP_COOKIE, '', 0);
    if (!step) return fail(res, 400, 'STEP_EXPIRED');
    const tx = em();
    const userId = await finishAuthentication(
      tx,
      relyingParty(config, req),
      req.body?.response,
      step.challenge,
    );
    const viewer = userId ? await viewerOfUser(tx, userId) : null;
    if (!viewer) {
      await recordAuditEvent(tx, {
        actorKind: ActorKind.ANONYMOUS,
        action: AccountAction.SIGN_IN_FAILED,
        outcome: AuditOutcome.DENIED,
        errorCode: 'PASSKEY',
        requestId: requestId(res),
      });
      return fail(res, 401, 'INVALID_CREDENTIALS');
    }
    signedIn(req, res, await openSession(tx, config, viewer, SignInMethod.PASSKEY, requestId(res)));
  });

  router.post('/passkey/register/options', async (req, res) => {
    const viewer = await bearer(req, res);
    if (!viewer) return;
    const options = await registrationOptions(em(), relyingParty(config, req), viewer);
    setCookie(
      res,
      req,
      config,
      STEP_COOKIE,
      await sealStep(config, 'passkey-register', {
        challenge: options.challenge,
        userId: viewer.userId!,
      }),
      STEP_COOKIE_SECONDS,
    );
    res.json(options);
  });

  router.post('/passkey/register/verify', async (req, res) => {
    const viewer = await bearer(req, res);
    if (!viewer) return;
    const step = await openStep(config, 'passkey-register', cookies(req)[STEP_COOKIE]);
    setCookie(res, req, config, STEP_COOKIE, '', 0);
    if (!step || step.userId !== viewer.userId) return fail(res, 400, 'STEP_EXPIRED');
    const ok = await finishRegistration(
      em(),
      relyingParty(config, req),
      viewer,
      req.body?.response,
      step.challenge,
      requestId(res),
    );
    if (!ok) return fail(res, 400, 'PASSKEY_NOT_VERIFIED');
    res.json({ registered: true });
  });

  router.get('/oidc/start', async (req, res) => {
    const provider = config.account.oidcProviders.find((p) => p.agencyId === req.query.provider);
    if (!provider) return fail(res, 404, 'NO_SUCH_PROVIDER');
    try {
      const started = await startOidc(provider, `${origin(config, req)}/auth/oidc/callback`);
      // Lax: the provider sends the browser back with a top-level GET from its own site.
      setCookie(
        res,
        req,
        config,
        STEP_COOKIE,
        await sealStep(config, 'oidc', {
          provider: provider.agencyId,
          state: started.state,
          nonce: started.nonce,
          verifier: started.verifier,
        }),
        STEP_COOKIE_SECONDS,
        'Lax',
      );
      res.redirect(302, started.url);
    } catch (error) {
      logger.warn(
        { requestId: requestId(res), errorClass: (error as Error)?.constructor?.name },
        'identity provider unreachable',
      );
      res.redirect(302, '/app/#/sign-in?error=IDP_UNAVAILABLE');
    }
  });

  router.get('/oidc/callback', async (req, res) => {
    const step = await openStep(config, 'oidc', cookies(req)[STEP_COOKIE]);
    setCookie(res, req, config, STEP_COOKIE, '', 0, 'Lax');
    const provider = config.account.oidcProviders.find((p) => p.agencyId === step?.provider);
    if (!step || !provider) return res.redirect(302, '/app/#/sign-in?error=STEP_EXPIRED');
    const tx = em();
    const callback = new URL(req.originalUrl, `${origin(config, req)}`);
    const userId = await finishOidc(tx, provider, callback, {
      state: step.state,
      nonce: step.nonce,
      verifier: step.verifier,
    }).catch(() => null);
    const viewer = userId ? await viewerOfUser(tx, userId) : null;
    if (!viewer) {
      await recordAuditEvent(tx, {
        actorKind: ActorKind.ANONYMOUS,
        action: AccountAction.SIGN_IN_FAILED,
        outcome: AuditOutcome.DENIED,
        errorCode: 'OIDC',
        requestId: requestId(res),
      });
      return res.redirect(302, '/app/#/sign-in?error=INVALID_CREDENTIALS');
    }
    const tokens = await openSession(tx, config, viewer, SignInMethod.OIDC, requestId(res));
    // Lax so that it rides along with this redirect's follow-up; the app refreshes at once.
    setCookie(
      res,
      req,
      config,
      REFRESH_COOKIE,
      tokens.refreshToken,
      config.account.sessionIdleSeconds,
    );
    res.redirect(302, '/app/');
  });

  app.use('/auth', router);
}
