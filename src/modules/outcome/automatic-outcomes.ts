import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import type { WithdrawnOutcome } from '../case/event-merge.entity';
import { OutcomeType } from './outcome-codes';

interface WithdrawnRow {
  id: string;
  case_id: string;
  type: string;
  occurred_at: Date;
  source_incident_id: string;
}

/**
 * The REPEAT_OVERDOSE outcomes the intake recorded because of these reports, removed: the
 * reports turned out to be co-reports of an overdose already counted (an administrator merged
 * their event), and one overdose is no repeat of itself. Returned as they were, to be written
 * again if the merge is undone.
 */
export async function withdrawRepeatOutcomes(
  tx: EntityManager,
  incidentIds: readonly string[],
): Promise<WithdrawnOutcome[]> {
  if (incidentIds.length === 0) return [];
  const rows = await tx.getConnection().execute<WithdrawnRow[]>(
    `delete from outcome
      where automatic and type = ? and source_incident_id = any(?::uuid[])
      returning id, case_id, type, occurred_at, source_incident_id`,
    [OutcomeType.REPEAT_OVERDOSE, pgArray(incidentIds)],
    'all',
    tx.getTransactionContext(),
  );
  return rows
    .map((row) => ({
      id: row.id,
      caseId: row.case_id,
      type: row.type,
      occurredAt: new Date(row.occurred_at).toISOString(),
      sourceIncidentId: row.source_incident_id,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The outcomes a merge withdrew, back with their own ids (the merge is undone). */
export async function restoreRepeatOutcomes(
  tx: EntityManager,
  outcomes: readonly WithdrawnOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await tx.getConnection().execute(
    `insert into outcome (id, created_at, updated_at, case_id, type, occurred_at, source_incident_id, automatic)
     select r.id, now(), now(), r.case_id, r.type::outcome_type, r.occurred_at, r.source_incident_id, true
       from jsonb_to_recordset(?::jsonb) as r(id uuid, case_id uuid, type text, occurred_at timestamptz, source_incident_id uuid)`,
    [
      JSON.stringify(
        outcomes.map((o) => ({
          id: o.id,
          case_id: o.caseId,
          type: o.type,
          occurred_at: o.occurredAt,
          source_incident_id: o.sourceIncidentId,
        })),
      ),
    ],
    'run',
    tx.getTransactionContext(),
  );
}
