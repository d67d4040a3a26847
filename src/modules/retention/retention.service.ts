import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import { ActorKind, AuditAction } from '../audit/audit-codes';
import { recordAuditEvent } from '../audit/audit-writer';
import { LeadStatus } from '../lead/lead-codes';

export interface PurgeOptions {
  /** Identity is kept this many days after the person's last case closed. */
  retentionDays: number;
  /** People per transaction. */
  batchSize: number;
  /** Count what would be purged, change nothing, write no audit row. */
  dryRun?: boolean;
  now?: Date;
}

export interface PurgeSummary {
  persons: number;
  reportedIdentities: number;
  batches: number;
  cutoff: Date;
  dryRun: boolean;
}

/**
 * People whose identity may go: every case of theirs ended (CLOSED or ENTERED_IN_ERROR) before
 * the cutoff, no LEAD track of theirs is still open, and something identifying is still held
 * (so a second run finds nothing and writes no audit row). A person with no case at all is left
 * alone: intake always makes a case, so such a row is mid-intake.
 */
const ELIGIBLE = `
  exists (select 1 from overdose_case c where c.person_id = p.id)
  and not exists (
    select 1 from overdose_case c
     where c.person_id = p.id
       and (c.status not in ('CLOSED', 'ENTERED_IN_ERROR') or c.closed_at is null
            or c.closed_at > ?::timestamptz))
  and not exists (
    select 1 from lead_referral l where l.person_id = p.id and l.status <> ?::lead_status)
  and (exists (select 1 from contact_record cr where cr.person_id = p.id)
       or exists (select 1 from reported_identity r
                    join overdose_incident i on i.id = r.incident_id
                   where i.person_id = p.id))`;

/**
 * Retention (DESIGN.md, domain.md §7): removes the identity of people whose cases all closed
 * more than `retentionDays` ago — every value as reporters entered it (ReportedIdentity: name,
 * date of birth, phone, home address) and everything outreach agencies recorded (ContactRecord:
 * phone, address, contact preferences). What statistics
 * need stays: the Person row and its id (cases, incidents, outcomes and attempts keep pointing
 * at it), sex and race/ethnicity (equity metrics), the county and times of every event.
 *
 * Kept on purpose: `personKey` (the keyed HMAC blind index) and `doNotContact`. A person who
 * overdoses again is then re-linked to the same record — repeat-overdose counts stay right, and
 * a "don't contact me" keeps being honoured, which dropping the key would silently undo. The
 * key reveals nothing without PERSON_KEY_SECRET; a new report brings its own values.
 *
 * One transaction per batch, rows locked with SKIP LOCKED so two hubs running it at once never
 * purge (or audit) a person twice; each batch writes one RETENTION_PURGE audit row (counts and
 * person ids, never a value) in the same transaction, so a purge is never unaudited.
 */
export async function purgeIdentities(
  em: EntityManager,
  options: PurgeOptions,
): Promise<PurgeSummary> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const summary: PurgeSummary = {
    persons: 0,
    reportedIdentities: 0,
    batches: 0,
    cutoff,
    dryRun: options.dryRun ?? false,
  };
  const bindings = [cutoff.toISOString(), LeadStatus.EXITED];

  if (summary.dryRun) {
    const [row] = await em.fork().execute<Array<{ persons: number; reported: number }>>(
      `select count(*)::int as persons,
              (select count(*)::int from reported_identity r
                 join overdose_incident i on i.id = r.incident_id
                where i.person_id in (select p.id from person p where ${ELIGIBLE})) as reported
         from person p where ${ELIGIBLE}`,
      [...bindings, ...bindings],
    );
    return { ...summary, persons: row.persons, reportedIdentities: row.reported };
  }

  for (;;) {
    const purged = await em.fork().transactional(async (tx) => {
      const rows = await tx.execute<Array<{ id: string }>>(
        `select p.id from person p where ${ELIGIBLE}
          order by p.id limit ? for update of p skip locked`,
        [...bindings, options.batchSize],
      );
      if (rows.length === 0) return 0;
      const ids = pgArray(rows.map((r) => r.id));
      // What outreach agencies recorded (phone, address, contact preferences) goes whole.
      await tx.execute(`delete from contact_record where person_id = any(?::uuid[])`, [ids], 'run');
      const deleted = await tx.execute<{ affectedRows: number }>(
        `delete from reported_identity r using overdose_incident i
          where i.id = r.incident_id and i.person_id = any(?::uuid[])`,
        [ids],
        'run',
      );
      await recordAuditEvent(tx, {
        actorKind: ActorKind.SYSTEM,
        action: AuditAction.RETENTION_PURGE,
        entityType: 'Person',
        entityIds: rows.map((r) => r.id),
        personIds: rows.map((r) => r.id),
        purpose: 'RETENTION',
        details: {
          persons: rows.length,
          reportedIdentities: deleted.affectedRows,
          retentionDays: options.retentionDays,
          cutoff: cutoff.toISOString(),
        },
      });
      summary.reportedIdentities += deleted.affectedRows;
      return rows.length;
    });
    if (purged > 0) summary.batches += 1;
    summary.persons += purged;
    if (purged < options.batchSize) return summary;
  }
}
