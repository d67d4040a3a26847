import { Type, type TransformContext } from '@mikro-orm/core';
import { encryptField, readField } from './field-cipher';
import { identityKeyRing } from './identity-keys';

/**
 * A number (the incident's coordinates) stored encrypted like identity (field-cipher.ts, the
 * identity key ring and its rotation): a text column holding the ciphertext of the decimal
 * string. A home overdose's coordinates are the home address, so they get the same protection.
 */
export class EncryptedNumber extends Type<number | null | undefined, string | null | undefined> {
  override convertToDatabaseValue(
    value: number | null | undefined,
    _platform: unknown,
    context?: TransformContext,
  ): string | null | undefined {
    if (context?.mode === 'query') {
      throw new Error('encrypted location columns cannot be queried');
    }
    if (value === null || value === undefined) return value;
    return encryptField(identityKeyRing(), String(value));
  }

  override convertToJSValue(value: string | null | undefined): number | null | undefined {
    if (value === null || value === undefined) return value;
    return Number(readField(identityKeyRing(), String(value)));
  }

  override compareValues(a: string | null | undefined, b: string | null | undefined): boolean {
    if (a === b) return true;
    if (a === null || a === undefined || b === null || b === undefined) {
      return (a ?? null) === (b ?? null);
    }
    const ring = identityKeyRing();
    return readField(ring, String(a)) === readField(ring, String(b));
  }

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

/** A value read by raw SQL (ciphertext, legacy plaintext, or a number from a legacy column). */
export function openText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return readField(identityKeyRing(), String(value));
}

export function openNumber(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  return Number(readField(identityKeyRing(), value));
}
