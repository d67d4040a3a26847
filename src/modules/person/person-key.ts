import { createHmac } from 'node:crypto';

/**
 * Names as people type them differ in case, accents, spacing and punctuation ("José  O'Neil" vs
 * "jose oneil"); reduce them to letters so the same person gets the same key from every agency.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}]/gu, '');
}

/**
 * The pseudonymous person key: HMAC-SHA256 under a configured secret of normalised first name,
 * last name and date of birth. Without the secret a key cannot be recomputed from a guess of
 * name and birthday. Null when any part is missing: a partial identity must not merge people.
 */
export function personKey(
  secret: string,
  firstName: string | undefined,
  lastName: string | undefined,
  dateOfBirth: string | undefined,
): string | null {
  const first = firstName ? normaliseName(firstName) : '';
  const last = lastName ? normaliseName(lastName) : '';
  if (!first || !last || !dateOfBirth) return null;
  return createHmac('sha256', secret).update(`${first}|${last}|${dateOfBirth}`).digest('hex');
}
