import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig, ReadyConfig } from './config';
import { parseIdentityKeys } from './crypto/identity-keys';
import type { Logger } from './logger';
import { loadOnFirstUse } from './common/load-on-first-use';

const webpush = loadOnFirstUse<typeof import('web-push')>('web-push');

interface StoredSecrets {
  JWT_SECRET: string;
  PERSON_KEY_SECRET: string;
  /** Added later than the others: a secrets.json from before has none and gains one. */
  IDENTITY_KEYS?: string;
  /** Web Push (VAPID) keys, added later still: generated the first time they are missing. */
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
}

const freshIdentityKeys = (): string => `dev1:${randomBytes(32).toString('base64')}`;

/**
 * Outside production a missing secret is generated once and kept in the data folder, so that a
 * newcomer's `npm start` works and tokens stay valid across restarts. Production never gets here
 * with a missing secret: loadConfig refuses to start.
 */
export function withDevSecrets(config: HubConfig, logger: Logger): ReadyConfig {
  return withDevVapid(withCoreSecrets(config, logger), logger);
}

/**
 * Web Push needs a VAPID key pair. Production without one has no Web Push (contacts of that kind
 * are refused); elsewhere a pair is generated like the other secrets (kept in the data folder;
 * in memory for tests, which must not write the working tree's data folder).
 */
function withDevVapid(config: ReadyConfig, logger: Logger): ReadyConfig {
  if (config.alerts.vapid || config.env === 'production') return config;
  let keys: { publicKey: string; privateKey: string };
  const ephemeral =
    config.env === 'test' ||
    (config.database.kind === 'embedded' && config.database.storage === 'memory');
  if (ephemeral) {
    keys = webpush().generateVAPIDKeys();
  } else {
    const stored = readOrCreateSecrets(config);
    if (!stored.secrets.VAPID_PUBLIC_KEY || !stored.secrets.VAPID_PRIVATE_KEY) {
      const fresh = webpush().generateVAPIDKeys();
      stored.secrets.VAPID_PUBLIC_KEY = fresh.publicKey;
      stored.secrets.VAPID_PRIVATE_KEY = fresh.privateKey;
      if (stored.path) {
        writeFileSync(stored.path, JSON.stringify(stored.secrets, null, 2), { mode: 0o600 });
      }
      logger.warn(
        { secrets: ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY'], storage: stored.path ?? 'memory' },
        'using generated development Web Push keys; set them explicitly in production',
      );
    }
    keys = {
      publicKey: stored.secrets.VAPID_PUBLIC_KEY,
      privateKey: stored.secrets.VAPID_PRIVATE_KEY,
    };
  }
  return {
    ...config,
    alerts: {
      ...config.alerts,
      vapid: { ...keys, subject: config.alerts.vapidSubject },
    },
  };
}

function withCoreSecrets(config: HubConfig, logger: Logger): ReadyConfig {
  const needsJwt = !config.auth.jwtSecret && !config.auth.jwksUrl;
  const needsPersonKey = !config.personKeySecret;
  const needsIdentityKeys = !config.identityKeys;
  if (!needsJwt && !needsPersonKey && !needsIdentityKeys) return config as ReadyConfig;
  if (config.env === 'production') throw new Error('secrets missing in production');

  const stored = readOrCreateSecrets(config);
  const generated = [
    needsJwt && 'JWT_SECRET',
    needsPersonKey && 'PERSON_KEY_SECRET',
    needsIdentityKeys && 'IDENTITY_KEYS',
  ].filter(Boolean);
  logger.warn(
    { secrets: generated, storage: stored.path ?? 'memory' },
    'using generated development secrets; set them explicitly in production',
  );
  return {
    ...config,
    // With an identity provider (JWKS) the hub signs nothing itself: no secret is invented.
    auth: {
      ...config.auth,
      jwtSecret: needsJwt ? stored.secrets.JWT_SECRET : config.auth.jwtSecret,
    },
    personKeySecret: config.personKeySecret ?? stored.secrets.PERSON_KEY_SECRET,
    identityKeys: config.identityKeys ?? storedIdentityKeys(stored.secrets, stored.path),
  };
}

function readOrCreateSecrets(config: HubConfig): { secrets: StoredSecrets; path?: string } {
  const fresh = (): StoredSecrets => ({
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PERSON_KEY_SECRET: randomBytes(32).toString('base64url'),
    IDENTITY_KEYS: freshIdentityKeys(),
  });
  // An in-memory database forgets everything anyway; persisting secrets for it would be noise.
  if (config.database.kind === 'embedded' && config.database.storage === 'memory') {
    return { secrets: fresh() };
  }
  const path = join(config.dataDir, 'secrets.json');
  if (existsSync(path)) {
    const secrets = JSON.parse(readFileSync(path, 'utf8')) as StoredSecrets;
    if (!secrets.IDENTITY_KEYS) {
      secrets.IDENTITY_KEYS = freshIdentityKeys();
      writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    }
    return { secrets, path };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secrets = fresh();
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { secrets, path };
}

function storedIdentityKeys(secrets: StoredSecrets, path: string | undefined) {
  const { ring } = parseIdentityKeys(secrets.IDENTITY_KEYS, undefined, false);
  if (!ring) throw new Error(`IDENTITY_KEYS in ${path ?? 'memory'} is not a valid key ring`);
  return ring;
}
