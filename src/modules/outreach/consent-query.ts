import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { CONSENT_IN_FORCE } from '../../rules/consent-in-force';
import { inForceSql, inForceWhere } from '../../rules/in-force-window';
import { Consent } from './consent.entity';
import type { ConsentScope } from './outreach-codes';

/** A consent in force (rules/consent-in-force.ts) as a MikroORM condition at `at`. */
export function consentInForceWhere(at: Date = new Date()): FilterQuery<Consent> {
  return inForceWhere(CONSENT_IN_FORCE, at) as FilterQuery<Consent>;
}

/**
 * The same rule as a SQL condition on one consent row aliased `alias`, for queries that need
 * it per row (an `inForce` column, or extra conditions such as `covers_police`). `alias` is a
 * trusted identifier written by hub code.
 */
export function consentInForceCondition(alias: string): string {
  return inForceSql(CONSENT_IN_FORCE, alias);
}

/**
 * SQL for the same rule, for use inside larger queries: true when a consent of `scope` for the
 * person in `personColumn` is in force now (optionally naming the agency in `agencyColumn`).
 * Column arguments are trusted identifiers written by hub code; `scope` is an enum value.
 */
export function consentInForceSql(
  personColumn: string,
  scope: ConsentScope,
  agencyColumn?: string,
): string {
  return `exists (select 1 from consent cn
    where cn.person_id = ${personColumn}
      and cn.scope = '${scope}'
      ${agencyColumn ? `and cn.granted_to_id = ${agencyColumn}` : ''}
      and ${consentInForceCondition('cn')})`;
}

/** True when the person has a consent of `scope` in force (to `grantedToAgencyId` if given). */
export async function hasConsentInForce(
  em: EntityManager,
  personId: string,
  scope: ConsentScope,
  grantedToAgencyId?: string,
): Promise<boolean> {
  const count = await em.count(Consent, {
    $and: [
      { person: personId, scope, ...(grantedToAgencyId ? { grantedTo: grantedToAgencyId } : {}) },
      consentInForceWhere(),
    ],
  });
  return count > 0;
}
