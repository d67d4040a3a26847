import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../common/batch-loader';
import { pgArray } from '../../common/sql';
import { notFound } from '../../errors/hub-errors';
import { consentInForceCondition } from './consent-query';
import type { ConsentType } from './consent.types';
import { ConsentScope } from './outreach-codes';

/**
 * Consents as their holders read them, one statement per page: `inForce` is computed with the
 * shared rule, and the rows come keyed by what they were asked for (a case, a LEAD referral).
 */
export async function getConsent(em: EntityManager, id: string): Promise<ConsentType> {
  const [consent] = await selectConsents(em, { condition: 'cn.id = ?::uuid', bindings: [id] });
  if (!consent) throw notFound('Consent');
  return consent;
}

/**
 * The consents each case's agency recorded on it (what it holds), oldest first. A LEAD
 * program's release filed on the same case is the program's, not the outreach agency's.
 */
export async function loadCaseConsents(
  em: EntityManager,
  caseIds: readonly string[],
): Promise<Map<string, ConsentType[]>> {
  const rows = await selectConsents(em, {
    key: 'cn.case_id',
    from: `join overdose_case c on c.id = cn.case_id
           join app_user u on u.id = cn.recorded_by_id and u.agency_id = c.routed_agency_id`,
    condition: 'cn.case_id = any(?::uuid[])',
    bindings: [pgArray(caseIds)],
  });
  return groupBy(rows, (r) => r.key!);
}

/**
 * Every LEAD release (in force or not) each referred person gave the caller's program, oldest
 * first. The person is matched inside the statement: their id never leaves the database here.
 */
export async function loadLeadReleases(
  em: EntityManager,
  leadReferralIds: readonly string[],
  programId: string,
): Promise<Map<string, ConsentType[]>> {
  const rows = await selectConsents(em, {
    key: 'l.id',
    from: `join lead_referral l on l.person_id = cn.person_id and l.program_id = cn.granted_to_id`,
    condition: 'l.id = any(?::uuid[]) and l.program_id = ?::uuid and cn.scope = ?::consent_scope',
    bindings: [pgArray(leadReferralIds), programId, ConsentScope.SHARE_WITH_LEAD],
  });
  return groupBy(rows, (r) => r.key!);
}

interface ConsentRow {
  key: string | null;
  id: string;
  scope: ConsentScope;
  granted_to_id: string;
  covers_police: boolean;
  purpose: string;
  method: ConsentType['method'];
  granted_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  revocation_reason: string | null;
  created_at: Date | string;
  in_force: boolean;
  part2_program_id: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/** `from`, `condition` and `key` are SQL written by hub code; values go in `bindings`. */
async function selectConsents(
  em: EntityManager,
  query: { condition: string; bindings: unknown[]; from?: string; key?: string },
): Promise<Array<ConsentType & { key?: string }>> {
  const rows = await em.getConnection().execute<ConsentRow[]>(
    `select ${query.key ?? 'null'} as key, cn.id, cn.scope, cn.granted_to_id, cn.covers_police,
            cn.purpose, cn.method, cn.granted_at, cn.expires_at, cn.revoked_at,
            cn.revocation_reason, cn.created_at, cn.part2_program_id,
            (${consentInForceCondition('cn')}) as in_force
       from consent cn ${query.from ?? ''}
      where ${query.condition}
      order by cn.granted_at, cn.created_at, cn.id`,
    query.bindings,
    'all',
    em.getTransactionContext(),
  );
  return rows.map((row) => ({
    key: row.key ?? undefined,
    id: row.id,
    scope: row.scope,
    grantedToId: row.granted_to_id,
    coversPolice: row.covers_police,
    purpose: row.purpose,
    method: row.method,
    grantedAt: toDate(row.granted_at),
    expiresAt: row.expires_at ? toDate(row.expires_at) : undefined,
    revokedAt: row.revoked_at ? toDate(row.revoked_at) : undefined,
    revocationReason: row.revocation_reason ?? undefined,
    inForce: row.in_force,
    createdAt: toDate(row.created_at),
    part2ProgramId: row.part2_program_id ?? undefined,
  }));
}
