import { KEY_BYTES, KEY_ID, type KeyRing } from './field-cipher';

/**
 * Parses IDENTITY_KEYS (`kid1:base64key,kid2:base64key`) and IDENTITY_ACTIVE_KEY into a key
 * ring, or lists every problem. Messages name key ids and positions, never key material.
 */
export function parseIdentityKeys(
  keysText: string | undefined,
  activeKeyId: string | undefined,
  production: boolean,
): { ring?: KeyRing; problems: string[] } {
  const problems: string[] = [];
  if (!keysText) {
    if (activeKeyId) problems.push('IDENTITY_ACTIVE_KEY: set without IDENTITY_KEYS');
    if (production) {
      problems.push(
        `IDENTITY_KEYS: required in production (kid:base64 of ${KEY_BYTES} random bytes, e.g. ` +
          'k1:$(openssl rand -base64 32))',
      );
    }
    return { problems };
  }

  const keys = new Map<string, Buffer>();
  keysText.split(',').forEach((entry, index) => {
    const at = `IDENTITY_KEYS: entry ${index + 1}`;
    const separator = entry.indexOf(':');
    const keyId = separator < 0 ? '' : entry.slice(0, separator).trim();
    const encoded = separator < 0 ? '' : entry.slice(separator + 1).trim();
    if (!KEY_ID.test(keyId)) {
      problems.push(`${at}: must look like kid:base64key (kid of letters, digits, - or _)`);
      return;
    }
    if (keys.has(keyId)) {
      problems.push(`${at}: key id "${keyId}" appears twice`);
      return;
    }
    const key = decodeKey(encoded);
    if (!key) {
      problems.push(`${at} ("${keyId}"): must be the base64 of ${KEY_BYTES} random bytes`);
      return;
    }
    keys.set(keyId, key);
  });

  const active = activeKeyId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined);
  if (!active) {
    problems.push('IDENTITY_ACTIVE_KEY: required when IDENTITY_KEYS holds more than one key');
  } else if (!keys.has(active) && !problems.some((p) => p.includes(`"${active}"`))) {
    problems.push(
      `IDENTITY_ACTIVE_KEY: "${KEY_ID.test(active) ? active : '?'}" is not in IDENTITY_KEYS`,
    );
  }
  if (problems.length > 0 || !active) return { problems };
  return { ring: { activeKeyId: active, keys }, problems };
}

function decodeKey(encoded: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return undefined;
  const key = Buffer.from(
    encoded,
    encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64',
  );
  if (key.length !== KEY_BYTES) return undefined;
  // A key of a few repeated bytes (all zeros, a typed pattern) is not a random key.
  if (new Set(key).size < 16) return undefined;
  return key;
}

/** The form dev-secrets.ts keeps in DATA_DIR/secrets.json. */
export function formatIdentityKeys(ring: KeyRing): string {
  return [...ring.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
}

let installed: KeyRing | undefined;

/**
 * The ORM type (encrypted-text.type.ts) is created by MikroORM from decorators and cannot be
 * handed the configuration, so the key ring is installed here when the database is opened
 * (database.ts), before any entity is read or written. Every hub in one process (tests) uses the
 * same keys; tests that rotate keys install a new ring explicitly.
 */
export function installIdentityKeyRing(ring: KeyRing): void {
  installed = ring;
}

export function identityKeyRing(): KeyRing {
  if (!installed) {
    throw new Error('identity key ring not installed: open the database through openDatabase()');
  }
  return installed;
}
