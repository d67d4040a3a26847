import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isWeakSecret, loadConfig } from '../src/config';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';

const STRONG_JWT = 'jwt-Secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const STRONG_PERSON = 'person-Key-0123456789-abcdefghijklmnopqrstuvwxyz';
const IDENTITY_KEYS = `k1:${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 5 + 1)).toString('base64')}`;

/** The problems loadConfig reports for an environment, or [] when it accepts it. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}
const variables = (env: Record<string, string>) => problems(env).map((p) => p.split(':')[0]);

describe('loadConfig', () => {
  it('gives a development hub on the embedded database with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '0.0.0.0',
      port: 4000,
      database: { kind: 'embedded', storage: 'file', dataDir: './data' },
      seedDemo: 'auto',
      bodyLimit: '2mb',
      logLevel: 'info',
      auth: {
        issuer: 'overdose-response-hub',
        audience: 'overdose-response-hub',
        tokenTtl: '12h',
      },
      followUp: { opensAfterHours: 24, dueAfterHours: 72 },
      coReport: { personWindowMinutes: 180, placeWindowMinutes: 120, placeMeters: 250 },
    });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.personKeySecret).toBeUndefined();
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://hub@db:5432/hub' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgresql://hub@db:5432/hub' });
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ JWT_SECRET: '  ', DATABASE_URL: '' });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.database.kind).toBe('embedded');
  });

  it('lists every bad variable in one error', () => {
    expect(
      variables({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://db/hub',
        BODY_LIMIT: 'huge',
        LOG_LEVEL: 'loud',
        TOKEN_TTL: 'forever',
      }).sort(),
    ).toEqual(['BODY_LIMIT', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TOKEN_TTL']);
  });

  it('lists missing production secrets together with other bad variables', () => {
    expect(variables({ NODE_ENV: 'production', PORT: 'eighty' }).sort()).toEqual([
      'IDENTITY_KEYS',
      'JWT_SECRET',
      'PERSON_KEY_SECRET',
      'PORT',
    ]);
  });

  it('puts every problem into the error message, one per line', () => {
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
      throw new Error('loadConfig accepted a bad environment');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}- .*\n {2}- /);
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/LOG_LEVEL/);
    }
  });

  it('refuses a follow-up window that closes before it opens', () => {
    expect(variables({ FOLLOW_UP_OPENS_HOURS: '72', FOLLOW_UP_DUE_HOURS: '24' })).toEqual([
      'FOLLOW_UP_DUE_HOURS',
    ]);
  });

  describe('in production', () => {
    // Identity keys have tests of their own (identity-encryption.spec.ts).
    const production = { NODE_ENV: 'production', IDENTITY_KEYS };

    it('refuses to start without JWT_SECRET and PERSON_KEY_SECRET', () => {
      expect(variables(production).sort()).toEqual(['JWT_SECRET', 'PERSON_KEY_SECRET']);
    });

    it.each([
      ['a well-known word', 'changeme'],
      ['a short secret', 'Zx9!kQ2@'],
      ['a long run of one character', 'a'.repeat(64)],
    ])('refuses %s as JWT_SECRET, without quoting it', (_label, secret) => {
      const found = problems({
        ...production,
        JWT_SECRET: secret,
        PERSON_KEY_SECRET: STRONG_PERSON,
      });
      expect(found.map((p) => p.split(':')[0])).toEqual(['JWT_SECRET']);
      expect(found.join('\n')).not.toContain(secret);
    });

    it('refuses a weak PERSON_KEY_SECRET', () => {
      expect(
        variables({ ...production, JWT_SECRET: STRONG_JWT, PERSON_KEY_SECRET: 'password' }),
      ).toEqual(['PERSON_KEY_SECRET']);
    });

    it('starts with strong secrets', () => {
      const config = loadConfig({
        ...production,
        JWT_SECRET: STRONG_JWT,
        PERSON_KEY_SECRET: STRONG_PERSON,
      });
      expect(config.env).toBe('production');
      expect(config.auth.jwtSecret).toBe(STRONG_JWT);
    });

    it('accepts JWT_JWKS_URL instead of JWT_SECRET', () => {
      const config = loadConfig({
        ...production,
        JWT_JWKS_URL: 'https://idp.example.org/.well-known/jwks.json',
        PERSON_KEY_SECRET: STRONG_PERSON,
      });
      expect(config.auth.jwksUrl).toBe('https://idp.example.org/.well-known/jwks.json');
      expect(config.auth.jwtSecret).toBeUndefined();
    });

    it('refuses a JWT_JWKS_URL that is not a URL', () => {
      expect(
        variables({ ...production, JWT_JWKS_URL: 'idp', PERSON_KEY_SECRET: STRONG_PERSON }),
      ).toContain('JWT_JWKS_URL');
    });
  });

  describe('in development', () => {
    it('refuses a weak secret that is set (a missing one is generated instead)', () => {
      expect(variables({ JWT_SECRET: 'secret', PERSON_KEY_SECRET: 'development' }).sort()).toEqual([
        'JWT_SECRET',
        'PERSON_KEY_SECRET',
      ]);
    });
  });
});

describe('withDevSecrets', () => {
  const logger = createLogger('silent');
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-secrets-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const fileConfig = (env: Record<string, string> = {}) =>
    loadConfig({ DATA_DIR: dataDir, EMBEDDED_DB: 'file', ...env });

  it('generates strong secrets once into DATA_DIR/secrets.json, readable by the owner only', () => {
    const config = withDevSecrets(fileConfig(), logger);
    expect(isWeakSecret(config.auth.jwtSecret)).toBe(false);
    expect(isWeakSecret(config.personKeySecret)).toBe(false);
    const file = join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      JWT_SECRET: config.auth.jwtSecret,
      PERSON_KEY_SECRET: config.personKeySecret,
      IDENTITY_KEYS: expect.stringMatching(/^dev1:[A-Za-z0-9+/]{43}=$/),
      VAPID_PUBLIC_KEY: config.alerts.vapid?.publicKey,
      VAPID_PRIVATE_KEY: config.alerts.vapid?.privateKey,
    });
    expect(config.alerts.vapid?.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(config.identityKeys.activeKeyId).toBe('dev1');
  });

  it('reuses the stored secrets on the next start, so issued tokens stay valid', () => {
    const first = withDevSecrets(fileConfig(), logger);
    const second = withDevSecrets(fileConfig(), logger);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.personKeySecret).toBe(first.personKeySecret);
    expect(second.identityKeys.keys.get('dev1')).toEqual(first.identityKeys.keys.get('dev1'));
    // Browsers' push subscriptions are bound to the VAPID public key.
    expect(second.alerts.vapid).toEqual(first.alerts.vapid);
  });

  it('adds identity keys to a secrets.json written before they existed, keeping the rest', () => {
    const file = join(dataDir, 'secrets.json');
    writeFileSync(
      file,
      JSON.stringify({ JWT_SECRET: STRONG_JWT, PERSON_KEY_SECRET: STRONG_PERSON }),
    );
    const config = withDevSecrets(fileConfig(), logger);
    expect(config.auth.jwtSecret).toBe(STRONG_JWT);
    expect(config.identityKeys.activeKeyId).toBe('dev1');
    expect(JSON.parse(readFileSync(file, 'utf8')).IDENTITY_KEYS).toMatch(/^dev1:/);
  });

  it('keeps secrets that are set and writes nothing', () => {
    const config = withDevSecrets(
      fileConfig({
        JWT_SECRET: STRONG_JWT,
        PERSON_KEY_SECRET: STRONG_PERSON,
        IDENTITY_KEYS,
        VAPID_PUBLIC_KEY:
          'BBVz5OThHF2QGkt-FkiDonI4ag0fW_LTayuFHYqtXVMzUfJamzVxGzF-2icCy3tM31SbWCafsM1xwbUBr56E_VY',
        VAPID_PRIVATE_KEY: 'sPCnb-MgiJrSyCtnEYYy8SwkItbhNVNG-vca8PvObNc',
      }),
      logger,
    );
    expect(config.auth.jwtSecret).toBe(STRONG_JWT);
    expect(config.personKeySecret).toBe(STRONG_PERSON);
    expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false);
  });

  it('keeps JWT_JWKS_URL and still generates the person-key secret', () => {
    const config = withDevSecrets(
      fileConfig({ JWT_JWKS_URL: 'https://idp.example.org/jwks.json' }),
      logger,
    );
    expect(config.auth.jwksUrl).toBe('https://idp.example.org/jwks.json');
    expect(isWeakSecret(config.personKeySecret)).toBe(false);
  });

  it('keeps generated secrets in memory only for an in-memory database', () => {
    const config = withDevSecrets(loadConfig({ DATA_DIR: dataDir, EMBEDDED_DB: 'memory' }), logger);
    expect(isWeakSecret(config.auth.jwtSecret)).toBe(false);
    expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false);
  });
});
