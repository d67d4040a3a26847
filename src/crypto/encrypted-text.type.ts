import { Type, type TransformContext } from '@mikro-orm/core';
import { encryptField, readField } from './field-cipher';
import { identityKeyRing } from './identity-keys';

/**
 * A text column stored encrypted (field-cipher.ts) and a plain string in code. Ciphertexts are
 * random, so two encryptions of one value differ: `compareValues` compares what they decrypt to,
 * otherwise every flush would rewrite every loaded identity. Unchanged values keep the key they
 * were written with; `reencrypt-identity` moves them to the active key.
 */
export class EncryptedText extends Type<string | null | undefined, string | null | undefined> {
  override convertToDatabaseValue(
    value: string | null | undefined,
    _platform: unknown,
    context?: TransformContext,
  ): string | null | undefined {
    // A query by an encrypted column could never match (random IVs) and would hint at the value;
    // matching goes through the person key. Refuse loudly instead of silently finding nothing.
    if (context?.mode === 'query') {
      throw new Error('encrypted identity columns cannot be queried; use the person key');
    }
    if (value === null || value === undefined) return value;
    return encryptField(identityKeyRing(), value);
  }

  override convertToJSValue(value: string | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    return readField(identityKeyRing(), value);
  }

  override compareValues(a: string | null | undefined, b: string | null | undefined): boolean {
    if (a === b) return true;
    if (a === null || a === undefined || b === null || b === undefined) {
      return (a ?? null) === (b ?? null);
    }
    const ring = identityKeyRing();
    return readField(ring, a) === readField(ring, b);
  }

  /** Hydrated data stays the stored ciphertext; re-encrypting it would only cost time. */
  override ensureComparable(): boolean {
    return false;
  }

  override compareAsType(): string {
    return 'string';
  }

  override getColumnType(): string {
    return 'text';
  }
}
