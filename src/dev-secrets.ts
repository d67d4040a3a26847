import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig, ReadyConfig } from './config';
import { parseIdentityKeys } from './crypto/identity-keys';
import type { Logger } from './logger';

interface StoredSecrets {
  JWT_SECRET: string;
  PERSON_KEY_SECRET: string;
  /** Added later than the others: a secrets.json from before has none and gains one. */
  IDENTITY_KEYS?: string;
}

const freshIdentityKeys = (): string => `dev1:${randomBytes(32).toString('base64')}`;

/**
 * Outside production a missing secret is generated once and kept in the data folder, so that a
 * newcomer's `npm start` works and tokens stay valid across restarts. Production never gets here
 * with a missing secret: loadConfig refuses to start.
 */
export function withDevSecrets(config: HubConfig, logger: Logger): ReadyConfig {
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
