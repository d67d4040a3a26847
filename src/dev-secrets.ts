import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig, ReadyConfig } from './config';
import type { Logger } from './logger';

interface StoredSecrets {
  JWT_SECRET: string;
  PERSON_KEY_SECRET: string;
}

/**
 * Outside production a missing secret is generated once and kept in the data folder, so that a
 * newcomer's `npm start` works and tokens stay valid across restarts. Production never gets here
 * with a missing secret: loadConfig refuses to start.
 */
export function withDevSecrets(config: HubConfig, logger: Logger): ReadyConfig {
  const needsJwt = !config.auth.jwtSecret && !config.auth.jwksUrl;
  const needsPersonKey = !config.personKeySecret;
  if (!needsJwt && !needsPersonKey) return config as ReadyConfig;
  if (config.env === 'production') throw new Error('secrets missing in production');

  const stored = readOrCreateSecrets(config);
  const generated = [needsJwt && 'JWT_SECRET', needsPersonKey && 'PERSON_KEY_SECRET'].filter(
    Boolean,
  );
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
  };
}

function readOrCreateSecrets(config: HubConfig): { secrets: StoredSecrets; path?: string } {
  const fresh = (): StoredSecrets => ({
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PERSON_KEY_SECRET: randomBytes(32).toString('base64url'),
  });
  // An in-memory database forgets everything anyway; persisting secrets for it would be noise.
  if (config.database.kind === 'embedded' && config.database.storage === 'memory') {
    return { secrets: fresh() };
  }
  const path = join(config.dataDir, 'secrets.json');
  if (existsSync(path)) {
    return { secrets: JSON.parse(readFileSync(path, 'utf8')) as StoredSecrets, path };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secrets = fresh();
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { secrets, path };
}
