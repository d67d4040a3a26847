import type { EntityManager } from '@mikro-orm/postgresql';
import { CONSENT_IN_FORCE } from './consent-in-force';
import { inForceSql } from './in-force-window';

/**
 * 42 CFR Part 2 release, written once (issue 14 point 9; src/modules/part2/README.md).
 *
 * A record carrying a Part 2 label (`part2_program_id`: the program whose record it is, stamped
 * at insert) reaches an agency other than that program only while the person's Part 2 consent
 * is in force that (a) names that agency as recipient (`granted_to_id`), and (b) was recorded by
 * the program itself (the consent's own label is the program: §2.31 names who may disclose).
 * Unlabelled records and the program's own staff are not affected.
 */

/** ConsentScope.PART2_DISCLOSURE (outreach-codes.ts); rules sit below the modules. */
export const PART2_CONSENT_SCOPE = 'PART2_DISCLOSURE';

/**
 * The rule as SQL on the labelled row aliased `alias`, for the person in `personColumn`, read by
 * the agency in `agencyParam` (a bind placeholder such as `?::uuid` or a column). All three are
 * trusted SQL written by hub code.
 */
export function part2ReleasedSql(alias: string, personColumn: string, agencyParam: string): string {
  return `(${alias}.part2_program_id is null
    or ${alias}.part2_program_id = ${agencyParam}
    or exists (select 1 from consent p2c
                where p2c.person_id = ${personColumn}
                  and p2c.scope = '${PART2_CONSENT_SCOPE}'
                  and p2c.granted_to_id = ${agencyParam}
                  and p2c.part2_program_id = ${alias}.part2_program_id
                  and ${inForceSql(CONSENT_IN_FORCE, 'p2c')}))`;
}

/** The same rule for one loaded record: may `agencyId` receive it now? */
export async function isPart2Released(
  em: EntityManager,
  record: { part2ProgramId?: string | null; personId?: string | null },
  agencyId: string | undefined,
): Promise<boolean> {
  if (!record.part2ProgramId) return true;
  if (!agencyId) return false;
  if (record.part2ProgramId === agencyId) return true;
  if (!record.personId) return false;
  const [row] = await em.getConnection().execute<Array<{ released: boolean }>>(
    `select ${part2ReleasedSql('r', '?::uuid', '?::uuid')} as released
       from (select ?::uuid as part2_program_id) r`,
    // Placeholders in the order they appear: reader, person, reader, then the label.
    [agencyId, record.personId, agencyId, record.part2ProgramId],
    'all',
    em.getTransactionContext(),
  );
  return row?.released === true;
}
