import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for single identity values. A stored value reads
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts): a fresh 96-bit IV per value, so equal
 * names never give equal ciphertexts, and the key id, so keys can be rotated one value at a time.
 * The header is authenticated too, so a value cannot be relabelled with another key id.
 */
export interface KeyRing {
  /** Key id used for every new write. */
  readonly activeKeyId: string;
  /** Every key still able to decrypt, by id (32 bytes each). */
  readonly keys: ReadonlyMap<string, Buffer>;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
/** Key ids sit inside the stored value, so they may not contain the separator. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Decryption failed: unknown key, malformed value or failed authentication (tampering, wrong
 * key). The message names the key id at most, never the value or any key material.
 */
export class FieldDecryptionError extends Error {
  constructor(reason: string) {
    super(`identity value could not be decrypted: ${reason}`);
    this.name = 'FieldDecryptionError';
  }
}

export function encryptField(ring: KeyRing, plaintext: string): string {
  return encryptWithIv(ring, plaintext, randomBytes(IV_BYTES));
}

/**
 * encryptField for bulk writers (the synthetic seeder encrypts millions of values): the same
 * format, cipher and keys, but the random IVs are cut from one larger `randomBytes` draw instead
 * of one system call each, which was most of the cost of a value. The IVs stay as random and as
 * unique as encryptField's.
 */
export function bulkFieldEncryptor(ring: KeyRing): (plaintext: string) => string {
  const IVS_PER_DRAW = 4096;
  let pool = Buffer.alloc(0);
  let offset = 0;
  return (plaintext) => {
    if (offset + IV_BYTES > pool.length) {
      pool = randomBytes(IV_BYTES * IVS_PER_DRAW);
      offset = 0;
    }
    const iv = pool.subarray(offset, (offset += IV_BYTES));
    return encryptWithIv(ring, plaintext, iv);
  };
}

function encryptWithIv(ring: KeyRing, plaintext: string, iv: Buffer): string {
  const key = ring.keys.get(ring.activeKeyId);
  if (!key) throw new Error(`active identity key "${ring.activeKeyId}" is not in the key ring`);
  const header = `${VERSION}:${ring.activeKeyId}`;
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    header,
    iv.toString('base64'),
    tag.toString('base64'),
    ciphertext.toString('base64'),
  ].join(':');
}

/** True when the value was written by encryptField (anything else is legacy plaintext). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(`${VERSION}:`);
}

/** The key id of an encrypted value; undefined for legacy plaintext. */
export function keyIdOf(stored: string): string | undefined {
  return isEncrypted(stored) ? stored.split(':')[1] : undefined;
}

export function decryptField(ring: KeyRing, stored: string): string {
  const parts = stored.split(':');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new FieldDecryptionError('malformed value');
  const [, keyId, ivText, tagText, ciphertextText] = parts;
  const key = ring.keys.get(keyId);
  if (!key) throw new FieldDecryptionError(`unknown key id "${KEY_ID.test(keyId) ? keyId : '?'}"`);
  const iv = Buffer.from(ivText, 'base64');
  const tag = Buffer.from(tagText, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new FieldDecryptionError('malformed value');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${VERSION}:${keyId}`, 'utf8'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertextText, 'base64')),
      decipher.final(),
    ]);
    return plaintext.toString('utf8');
  } catch {
    // node:crypto's own message ("Unsupported state or unable to authenticate data") says
    // nothing more; a fixed one keeps every failure alike.
    throw new FieldDecryptionError(`authentication failed (key id "${keyId}")`);
  }
}

/**
 * Reads a stored value whether it is encrypted or legacy plaintext (rows written before
 * encryption; `npm run cli -- reencrypt-identity` encrypts them).
 */
export function readField(ring: KeyRing, stored: string): string {
  return isEncrypted(stored) ? decryptField(ring, stored) : stored;
}
