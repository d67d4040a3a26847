import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `orhk_<prefix>_<secret>`. The prefix finds the row; the whole key is compared
 * by SHA-256. A plain hash is enough here (no bcrypt/argon2) because the key carries 256 random
 * bits: there is nothing to brute-force, and a slow hash would only slow every machine request.
 */
export const API_KEY_MARKER = 'orhk_';

export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(6).toString('hex');
  const key = `${API_KEY_MARKER}${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function parseApiKeyPrefix(key: string): string | null {
  const match = /^orhk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
  return match ? match[1] : null;
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
