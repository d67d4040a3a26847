import { z } from 'zod';
import type { KeyRing } from './crypto/field-cipher';
import { parseIdentityKeys } from './crypto/identity-keys';
import { loadAccountConfig, type AccountConfig } from './modules/account/account-config';
import { isTimeZone } from './common/time-zone';

/**
 * Every setting the hub reads from the environment. `loadConfig` validates them all at once and
 * reports every problem together, so an operator fixes a bad deployment in one round trip.
 */
const WEAK_SECRETS = new Set(['changeme', 'change-me', 'secret', 'password', 'development']);
const MIN_SECRET_LENGTH = 32;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production', 'benchmark']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: integer(4000, 0, 65535),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATA_DIR: z.string().default('./data'),
  EMBEDDED_DB: z.enum(['file', 'memory']).default('file'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  JWT_SECRET: optionalString,
  JWT_JWKS_URL: optionalString.pipe(z.url().optional()),
  JWT_ISSUER: z.string().min(1).default('overdose-response-hub'),
  JWT_AUDIENCE: z.string().min(1).default('overdose-response-hub'),
  TOKEN_TTL: z
    .string()
    .regex(/^\d+[smhd]$/, 'must look like 30m, 12h or 7d')
    .default('12h'),
  PERSON_KEY_SECRET: optionalString,
  IDENTITY_KEYS: optionalString,
  IDENTITY_ACTIVE_KEY: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'must look like 512kb or 2mb')
    .default('2mb'),
  INGEST_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb|gb)$/, 'must look like 512kb, 200mb or 1gb')
    .default('200mb'),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 120_000),
  FOLLOW_UP_OPENS_HOURS: integer(24, 0, 24 * 14),
  FOLLOW_UP_DUE_HOURS: integer(72, 1, 24 * 30),
  MAX_INCIDENT_AGE_DAYS: integer(365, 1, 3650),
  // One overdose, one event: how close a second report must be to join the first (co-report).
  CO_REPORT_PERSON_WINDOW_MINUTES: integer(180, 0, 24 * 60),
  CO_REPORT_PLACE_WINDOW_MINUTES: integer(120, 0, 24 * 60),
  CO_REPORT_PLACE_METERS: integer(250, 0, 5_000),
  CLOCK_SKEW_MINUTES: integer(10, 0, 120),
  LEAD_INTAKE_DAYS: integer(14, 1, 90),
  MAX_OUTREACH_ATTEMPTS: integer(5, 1, 50),
  // Shared numbers suppress 1..STATS_SMALL_CELL_MAX (default 10); NC DETECT's 1..4 is the floor.
  STATS_SMALL_CELL_MAX: integer(10, 4, 1000),
  STATS_UNSTABLE_NUMERATOR_MAX: integer(20, 20, 1000),
  // Query-overlap control of shared numbers (docs/disclosure.md): how long an agency's earlier
  // filters are remembered and compared, and how many different ones it may use in that time.
  STATS_OVERLAP_WINDOW_DAYS: integer(365, 1, 3650),
  STATS_OVERLAP_MAX_REGIONS: integer(200, 1, 100_000),
  // The hub's calendar for statistics; an agency may set its own (setStatsCalendar).
  HUB_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York')
    .default('America/New_York'),
  STATS_FISCAL_YEAR_START_MONTH: integer(7, 1, 12),
  STATS_MAX_RANGE_DAYS: integer(3700, 1, 36_600),
  QUERY_MAX_DEPTH: integer(12, 2, 100),
  QUERY_MAX_ALIASES: integer(30, 0, 1000),
  QUERY_MAX_DIRECTIVES: integer(20, 0, 1000),
  QUERY_MAX_TOKENS: integer(2000, 100, 100_000),
  QUERY_MAX_COST: integer(100_000, 100, 10_000_000),
  DB_STATEMENT_TIMEOUT_MS: integer(15_000, 0, 600_000),
  RATE_LIMIT_WINDOW_SECONDS: integer(60, 1, 3600),
  RATE_LIMIT_POINTS: integer(300, 1, 1_000_000),
  RATE_LIMIT_API_KEY_POINTS: integer(1200, 1, 1_000_000),
  RATE_LIMIT_ANONYMOUS_POINTS: integer(60, 1, 1_000_000),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
  ),
  TRUST_PROXY_HOPS: integer(0, 0, 10),
  RETENTION_DAYS: integer(365, 1, 36_500),
  RETENTION_PURGE_INTERVAL_HOURS: integer(24, 0, 24 * 365),
  RETENTION_BATCH_SIZE: integer(500, 1, 10_000),
  BENCH_DISABLE_PERMISSIONS: z.enum(['true', 'false']).default('false'),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, colon, dash or underscore (at most 64)')
    .default('hub-rate'),
  // k-anonymity of research extracts: never below 11 (counts of 1-10 are never published).
  RESEARCH_K_ANONYMITY: integer(11, 11, 1000),
  RESEARCH_EXTRACT_MAX_ROWS: integer(10_000, 100, 100_000),
  EVENT_CHANNEL: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, colon, dash or underscore (at most 64)')
    .default('hub-events'),
  FOLLOW_UP_TICK_SECONDS: integer(60, 0, 3600),
  SPIKE_CHECK_SECONDS: integer(300, 0, 86_400),
  SPIKE_BASELINE_WEEKS: integer(8, 1, 52),
  SPIKE_EXCEEDANCE_PROBABILITY: z.coerce.number().gt(0).max(0.5).default(0.005),
  SPIKE_MIN_COUNT: integer(3, 1, 10_000),
  JOB_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, colon, dash or underscore (at most 64)')
    .default('hub'),
  JOB_POLL_MS: integer(1000, 20, 60_000),
  JOB_LEASE_SECONDS: integer(120, 5, 3600),
  JOB_RETRY_BASE_SECONDS: integer(30, 1, 3600),
  JOB_RETRY_MAX_SECONDS: integer(3600, 1, 86_400),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  ALERT_EMAIL_FROM: z.string().trim().min(3).default('Overdose Response Hub <alerts@localhost>'),
  ALERT_SEND_TIMEOUT_MS: integer(10_000, 100, 120_000),
  VAPID_PUBLIC_KEY: optionalString,
  VAPID_PRIVATE_KEY: optionalString,
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https:// URL')
    .default('mailto:hub-operator@localhost'),
  SPIKE_THRESHOLDS: z
    .string()
    .trim()
    .regex(
      /^(\d{5}:\d{1,5}(,\d{5}:\d{1,5})*)?$/,
      'must look like 37001:8,37063:15 (county FIPS:threshold, comma-separated)',
    )
    .default(''),
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
});

export type Env = z.input<typeof envSchema>;

export interface HubConfig {
  env: 'development' | 'test' | 'production' | 'benchmark';
  host: string;
  port: number;
  database:
    | { kind: 'postgres'; url: string }
    | { kind: 'embedded'; storage: 'file' | 'memory'; dataDir: string };
  dataDir: string;
  seedDemo: 'auto' | 'true' | 'false';
  auth: {
    jwtSecret?: string;
    jwksUrl?: string;
    issuer: string;
    audience: string;
    tokenTtl: string;
  };
  personKeySecret?: string;
  /** AES-256-GCM keys of identity at rest (src/crypto); generated outside production. */
  identityKeys?: KeyRing;
  logLevel: string;
  bodyLimit: string;
  /** Largest file POSTed to /ingest/… once decompressed, in bytes. */
  ingestBodyLimitBytes: number;
  shutdownGraceMs: number;
  followUp: { opensAfterHours: number; dueAfterHours: number };
  intake: { maxIncidentAgeDays: number; clockSkewMinutes: number };
  /**
   * When a new report joins an open overdose event instead of opening its own (police and EMS at
   * the same overdose): the same person within `personWindowMinutes` of the event, or — for a
   * report that names no one — the same county within `placeMeters` and `placeWindowMinutes`.
   */
  coReport: { personWindowMinutes: number; placeWindowMinutes: number; placeMeters: number };
  /** LEAD intake must be completed this many days after the referral (domain.md §5.4). */
  lead: { intakeDays: number };
  /** Attempts to reach a person who has not engaged yet, per case (privacy: limit attempts). */
  outreach: { maxAttempts: number };
  /** Published counts 1..smallCellMax are suppressed; rates on ≤ unstableNumeratorMax flagged. */
  disclosure: {
    smallCellMax: number;
    unstableNumeratorMax: number;
    overlap: { windowDays: number; maxRegions: number };
  };
  /** Statistics calendar: default time zone, fiscal year start month, longest date range. */
  statsCalendar: { timeZone: string; fiscalYearStartMonth: number; maxRangeDays: number };
  /** Static limits on an operation's shape, checked before it runs (src/limits/query-limits.ts). */
  queryLimits: {
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
  };
  /**
   * Load balancers in front of the hub whose X-Forwarded-For is believed; 0 (direct) means the
   * client address is the socket's. Behind one proxy set 1, or every anonymous caller would share
   * the proxy's rate-limit budget.
   */
  trustProxyHops: number;
  /** PostgreSQL `statement_timeout` of every connection; 0 turns it off. */
  statementTimeoutMs: number;
  /** Requests per caller and window (src/limits/rate-limit.ts); Redis shares them across hubs. */
  rateLimit: {
    windowSeconds: number;
    userPoints: number;
    apiKeyPoints: number;
    anonymousPoints: number;
    redisUrl?: string;
    keyPrefix: string;
  };
  /** Research extracts (src/research): k of k-anonymity, and rows one GraphQL answer may carry. */
  research: { kAnonymity: number; maxExtractRows: number };
  /** Identity purge of people whose cases all closed long ago (src/modules/retention). */
  retention: { retentionDays: number; intervalHours: number; batchSize: number };
  /**
   * Benchmark only (bench/): serve the schema without the permission layer to measure its cost.
   * Honoured only with NODE_ENV=benchmark; loadConfig refuses it anywhere else.
   */
  benchDisablePermissions: boolean;
  /** Live events (src/events): Redis channel when rateLimit.redisUrl is set; timer periods. */
  events: { channel: string; followUpTickSeconds: number };
  /**
   * Spike alerts (src/modules/spike, docs/alerts.md): per-county fixed thresholds, else a
   * negative-binomial exceedance probability against the baseline weeks, with a minimum count.
   */
  spike: {
    checkIntervalSeconds: number;
    baselineWeeks: number;
    exceedanceProbability: number;
    minCount: number;
    thresholds: Map<string, number>;
  };
  /** The durable job queue (src/jobs): timers, spike checks and alert deliveries. */
  jobs: {
    queue: string;
    pollMs: number;
    leaseSeconds: number;
    retryBaseSeconds: number;
    retryMaxSeconds: number;
  };
  /** Alert delivery (src/modules/spike/alert-senders.ts). Web Push needs the VAPID keys. */
  alerts: {
    smtpUrl?: string;
    emailFrom: string;
    sendTimeoutMs: number;
    /** Plain-http webhooks and push endpoints: development and test only. */
    allowHttp: boolean;
    vapidSubject: string;
    vapid?: { publicKey: string; privateKey: string; subject: string };
  };
  /** Bearer token for /metrics; without it /metrics is open outside production, 404 in it. */
  metricsToken?: string;
  /** Sign-in, sessions, the field app's device cache and reminders (src/modules/account). */
  account: AccountConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function isWeakSecret(value: string | undefined): boolean {
  if (!value) return true;
  if (value.length < MIN_SECRET_LENGTH) return true;
  if (WEAK_SECRETS.has(value.toLowerCase())) return true;
  // A long run of one or two characters is as guessable as a short secret.
  return new Set(value).size < 10;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // Checked on the raw values so that a typo elsewhere does not hide a missing secret.
  problems.push(...secretProblems(env));
  const identity = parseIdentityKeys(
    env.IDENTITY_KEYS?.trim() || undefined,
    env.IDENTITY_ACTIVE_KEY?.trim() || undefined,
    env.NODE_ENV === 'production',
  );
  problems.push(...identity.problems);
  const account = loadAccountConfig(env);
  problems.push(...account.problems);
  if (parsed.success && parsed.data.FOLLOW_UP_DUE_HOURS <= parsed.data.FOLLOW_UP_OPENS_HOURS) {
    problems.push('FOLLOW_UP_DUE_HOURS: must be later than FOLLOW_UP_OPENS_HOURS');
  }
  if (Boolean(env.VAPID_PUBLIC_KEY?.trim()) !== Boolean(env.VAPID_PRIVATE_KEY?.trim())) {
    problems.push('VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY: set both or neither');
  }
  if (env.BENCH_DISABLE_PERMISSIONS?.trim() === 'true' && env.NODE_ENV !== 'benchmark') {
    problems.push('BENCH_DISABLE_PERMISSIONS: only allowed with NODE_ENV=benchmark');
  }
  if (problems.length > 0 || !parsed.success || !account.config) throw new ConfigError(problems);

  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'embedded', storage: e.EMBEDDED_DB, dataDir: e.DATA_DIR },
    dataDir: e.DATA_DIR,
    seedDemo: e.SEED_DEMO,
    auth: {
      jwtSecret: e.JWT_SECRET,
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      tokenTtl: e.TOKEN_TTL,
    },
    personKeySecret: e.PERSON_KEY_SECRET,
    identityKeys: identity.ring,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    ingestBodyLimitBytes: sizeInBytes(e.INGEST_BODY_LIMIT),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    followUp: { opensAfterHours: e.FOLLOW_UP_OPENS_HOURS, dueAfterHours: e.FOLLOW_UP_DUE_HOURS },
    intake: { maxIncidentAgeDays: e.MAX_INCIDENT_AGE_DAYS, clockSkewMinutes: e.CLOCK_SKEW_MINUTES },
    coReport: {
      personWindowMinutes: e.CO_REPORT_PERSON_WINDOW_MINUTES,
      placeWindowMinutes: e.CO_REPORT_PLACE_WINDOW_MINUTES,
      placeMeters: e.CO_REPORT_PLACE_METERS,
    },
    lead: { intakeDays: e.LEAD_INTAKE_DAYS },
    outreach: { maxAttempts: e.MAX_OUTREACH_ATTEMPTS },
    disclosure: {
      smallCellMax: e.STATS_SMALL_CELL_MAX,
      unstableNumeratorMax: e.STATS_UNSTABLE_NUMERATOR_MAX,
      overlap: { windowDays: e.STATS_OVERLAP_WINDOW_DAYS, maxRegions: e.STATS_OVERLAP_MAX_REGIONS },
    },
    statsCalendar: {
      timeZone: e.HUB_TIME_ZONE,
      fiscalYearStartMonth: e.STATS_FISCAL_YEAR_START_MONTH,
      maxRangeDays: e.STATS_MAX_RANGE_DAYS,
    },
    queryLimits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxCost: e.QUERY_MAX_COST,
    },
    statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      userPoints: e.RATE_LIMIT_POINTS,
      apiKeyPoints: e.RATE_LIMIT_API_KEY_POINTS,
      anonymousPoints: e.RATE_LIMIT_ANONYMOUS_POINTS,
      redisUrl: e.REDIS_URL,
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
    research: { kAnonymity: e.RESEARCH_K_ANONYMITY, maxExtractRows: e.RESEARCH_EXTRACT_MAX_ROWS },
    retention: {
      retentionDays: e.RETENTION_DAYS,
      intervalHours: e.RETENTION_PURGE_INTERVAL_HOURS,
      batchSize: e.RETENTION_BATCH_SIZE,
    },
    benchDisablePermissions: e.NODE_ENV === 'benchmark' && e.BENCH_DISABLE_PERMISSIONS === 'true',
    events: { channel: e.EVENT_CHANNEL, followUpTickSeconds: e.FOLLOW_UP_TICK_SECONDS },
    spike: {
      checkIntervalSeconds: e.SPIKE_CHECK_SECONDS,
      baselineWeeks: e.SPIKE_BASELINE_WEEKS,
      exceedanceProbability: e.SPIKE_EXCEEDANCE_PROBABILITY,
      minCount: e.SPIKE_MIN_COUNT,
      thresholds: new Map(
        e.SPIKE_THRESHOLDS.split(',')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, 5), Number(pair.slice(6))] as const),
      ),
    },
    jobs: {
      queue: e.JOB_QUEUE,
      pollMs: e.JOB_POLL_MS,
      leaseSeconds: e.JOB_LEASE_SECONDS,
      retryBaseSeconds: e.JOB_RETRY_BASE_SECONDS,
      retryMaxSeconds: e.JOB_RETRY_MAX_SECONDS,
    },
    alerts: {
      smtpUrl: e.SMTP_URL,
      emailFrom: e.ALERT_EMAIL_FROM,
      sendTimeoutMs: e.ALERT_SEND_TIMEOUT_MS,
      allowHttp: e.NODE_ENV === 'development' || e.NODE_ENV === 'test',
      vapidSubject: e.VAPID_SUBJECT,
      vapid:
        e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
          ? {
              publicKey: e.VAPID_PUBLIC_KEY,
              privateKey: e.VAPID_PRIVATE_KEY,
              subject: e.VAPID_SUBJECT,
            }
          : undefined,
    },
    metricsToken: e.METRICS_TOKEN,
    account: account.config,
  };
}

function secretProblems(env: Record<string, string | undefined>): string[] {
  const value = (name: string) => env[name]?.trim() || undefined;
  const jwtSecret = value('JWT_SECRET');
  const personKeySecret = value('PERSON_KEY_SECRET');
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    if (!value('JWT_JWKS_URL') && isWeakSecret(jwtSecret)) {
      problems.push(
        `JWT_SECRET: required in production (at least ${MIN_SECRET_LENGTH} random characters) unless JWT_JWKS_URL is set`,
      );
    }
    if (isWeakSecret(personKeySecret)) {
      problems.push(
        `PERSON_KEY_SECRET: required in production (at least ${MIN_SECRET_LENGTH} random characters)`,
      );
    }
    return problems;
  }
  // Outside production a missing secret is generated (dev-secrets.ts); a weak one is refused.
  if (jwtSecret && isWeakSecret(jwtSecret)) {
    problems.push(`JWT_SECRET: must be at least ${MIN_SECRET_LENGTH} random characters`);
  }
  if (personKeySecret && isWeakSecret(personKeySecret)) {
    problems.push(`PERSON_KEY_SECRET: must be at least ${MIN_SECRET_LENGTH} random characters`);
  }
  return problems;
}

/** A config whose secrets are known to be present (after dev secrets were filled in). */
export type ReadyConfig = HubConfig & { personKeySecret: string; identityKeys: KeyRing };

/** `512kb`, `200mb`, `1gb` in bytes (1 kb = 1024 bytes, as Express reads BODY_LIMIT). */
function sizeInBytes(size: string): number {
  const [, amount, unit] = /^(\d+)(kb|mb|gb)$/.exec(size)!;
  return Number(amount) * 1024 ** { kb: 1, mb: 2, gb: 3 }[unit as 'kb' | 'mb' | 'gb'];
}
