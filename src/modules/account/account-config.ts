import { z } from 'zod';

/**
 * Settings of sign-in, sessions and reminders (src/modules/account). Parsed apart from the rest of
 * the configuration so this module's settings stay in one place; loadConfig reports its problems
 * with everyone else's.
 */
export interface OidcProviderConfig {
  /** The agency whose users sign in through this provider. */
  agencyId: string;
  /** Shown on the sign-in button. */
  label: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
}

export interface AccountConfig {
  accessTokenTtl: string;
  /** Seconds a refresh token lives without use (sliding); the session ends after it. */
  sessionIdleSeconds: number;
  maxFailedSignIns: number;
  lockMinutes: number;
  /** Hours a temporary password from an admin's reset stays usable. */
  resetPasswordHours: number;
  /** The origin browsers see (passkeys are bound to it); default http://localhost:<PORT>. */
  publicOrigin?: string;
  oidcProviders: OidcProviderConfig[];
  /** Minutes without use after which the field app wipes what it cached on the device. */
  deviceIdleMinutes: number;
  reminderIntervalSeconds: number;
}

const duration = z.string().regex(/^\d+[smh]$/, 'must look like 90s, 10m or 1h');
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const providerSchema = z.array(
  z.object({
    agencyId: z.uuid(),
    label: z.string().min(1).max(80),
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
  }),
);

const accountEnv = z.object({
  ACCESS_TOKEN_TTL: duration.default('10m'),
  SESSION_IDLE_HOURS: int(12, 1, 24 * 30),
  SIGN_IN_MAX_FAILURES: int(5, 1, 100),
  SIGN_IN_LOCK_MINUTES: int(15, 1, 24 * 60),
  PASSWORD_RESET_HOURS: int(24, 1, 24 * 14),
  PUBLIC_ORIGIN: optional.pipe(z.url().optional()),
  OIDC_PROVIDERS: optional,
  FIELD_APP_IDLE_MINUTES: int(30, 1, 24 * 60),
  REMINDER_INTERVAL_SECONDS: int(300, 5, 86_400),
});

export function loadAccountConfig(env: Record<string, string | undefined>): {
  config?: AccountConfig;
  problems: string[];
} {
  const parsed = accountEnv.safeParse(env);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    };
  }
  const e = parsed.data;
  const problems: string[] = [];
  let oidcProviders: OidcProviderConfig[] = [];
  if (e.OIDC_PROVIDERS) {
    try {
      const providers = providerSchema.safeParse(JSON.parse(e.OIDC_PROVIDERS));
      if (providers.success) oidcProviders = providers.data;
      else
        problems.push(
          `OIDC_PROVIDERS: ${providers.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        );
    } catch {
      problems.push('OIDC_PROVIDERS: must be a JSON array of {agencyId,label,issuer,clientId}');
    }
  }
  return {
    problems,
    config: {
      accessTokenTtl: e.ACCESS_TOKEN_TTL,
      sessionIdleSeconds: e.SESSION_IDLE_HOURS * 3600,
      maxFailedSignIns: e.SIGN_IN_MAX_FAILURES,
      lockMinutes: e.SIGN_IN_LOCK_MINUTES,
      resetPasswordHours: e.PASSWORD_RESET_HOURS,
      publicOrigin: e.PUBLIC_ORIGIN?.replace(/\/$/, ''),
      oidcProviders,
      deviceIdleMinutes: e.FIELD_APP_IDLE_MINUTES,
      reminderIntervalSeconds: e.REMINDER_INTERVAL_SECONDS,
    },
  };
}
