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
  /** Incidents whose street, city, ZIP or coordinates were removed. */
  incidentLocations: number;
  /** Outreach attempts whose visit notes were removed. */
  visitNotes: number;
  /** Exited LEAD referrals whose officer-entered details (name, where to find) were removed. */
  leadReferrals: number;
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
  (exists (select 1 from overdose_case c where c.person_id = p.id)
   -- Filed at a LEAD release for a police referral made without an overdose: no case at all.
   or exists (select 1 from lead_referral l where l.person_id = p.id))
  and not exists (
    select 1 from overdose_case c
     where c.person_id = p.id
       and (c.status not in ('CLOSED', 'ENTERED_IN_ERROR') or c.closed_at is null
            or c.closed_at > ?::timestamptz))
  and not exists (
    select 1 from lead_referral l
     where l.person_id = p.id
       and (l.status <> ?::lead_status
            or (l.case_id is null and l.source_incident_id is null
                and (l.exited_at is null or l.exited_at > ?::timestamptz))))
  and (exists (select 1 from contact_record cr where cr.person_id = p.id)
       or exists (select 1 from reported_identity r
                    join overdose_incident i on i.id = r.incident_id
                   where i.person_id = p.id)
       or exists (select 1 from overdose_incident i
                   where i.person_id = p.id
                     and (i.street is not null or i.city is not null or i.zip is not null
                          or i.latitude is not null or i.longitude is not null))
       or exists (select 1 from outreach_attempt a
                    join overdose_case c on c.id = a.case_id
                   where c.person_id = p.id and a.notes is not null)
       or exists (select 1 from family_contact f
                    join overdose_case c on c.id = f.case_id
                   where c.person_id = p.id))`;

/**
 * Retention (DESIGN.md, domain.md §7): removes the identity of people whose cases all closed
 * more than `retentionDays` ago — every value as reporters entered it (ReportedIdentity: name,
 * date of birth, phone, home address), everything outreach agencies recorded (ContactRecord:
 * phone, address, contact preferences), the street, city, ZIP and coordinates of their incidents
 * and the notes of visits on their cases. What statistics
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
    incidentLocations: 0,
    visitNotes: 0,
    leadReferrals: 0,
    batches: 0,
    cutoff,
    dryRun: options.dryRun ?? false,
  };
  const bindings = [cutoff.toISOString(), LeadStatus.EXITED, cutoff.toISOString()];

  if (summary.dryRun) {
    const [row] = await em.fork().execute<Array<{ persons: number; reported: number }>>(
      `select count(*)::int as persons,
              (select count(*)::int from reported_identity r
                 join overdose_incident i on i.id = r.incident_id
                where i.person_id in (select p.id from person p where ${ELIGIBLE})) as reported
         from person p where ${ELIGIBLE}`,
      [...bindings, ...bindings],
    );
    const [lead] = await em
      .fork()
      .execute<Array<{ n: number }>>(
        `select count(*)::int as n from lead_referral where ${LEAD_DETAILS_HELD}`,
        [LeadStatus.EXITED, cutoff.toISOString()],
      );
    return {
      ...summary,
      persons: row.persons,
      reportedIdentities: row.reported,
      leadReferrals: lead.n,
    };
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
      // The place of the overdose is often the home: it goes with the identity. The county and
      // the coarse H3 cell stay for statistics.
      const located = await tx.execute<{ affectedRows: number }>(
        `update overdose_incident set street = null, city = null, zip = null, latitude = null,
                longitude = null, updated_at = now()
          where person_id = any(?::uuid[])
            and (street is not null or city is not null or zip is not null
                 or latitude is not null or longitude is not null)`,
        [ids],
        'run',
      );
      // The event's copy of its first report's place goes with it.
      await tx.execute(
        `update overdose_event e set latitude = null, longitude = null, updated_at = now()
          where (e.latitude is not null or e.longitude is not null)
            and e.id in (select i.event_id from overdose_incident i
                          where i.person_id = any(?::uuid[]))`,
        [ids],
        'run',
      );
      const noted = await tx.execute<{ affectedRows: number }>(
        `update outreach_attempt a set notes = null, updated_at = now()
           from overdose_case c
          where c.id = a.case_id and c.person_id = any(?::uuid[]) and a.notes is not null`,
        [ids],
        'run',
      );
      // Family members named under a CONTACT_FAMILY consent go with the person's identity.
      const family = await tx.execute<{ affectedRows: number }>(
        `delete from family_contact f using overdose_case c
          where c.id = f.case_id and c.person_id = any(?::uuid[])`,
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
          incidentLocations: located.affectedRows,
          visitNotes: noted.affectedRows,
          familyContacts: family.affectedRows,
          retentionDays: options.retentionDays,
          cutoff: cutoff.toISOString(),
        },
      });
      summary.reportedIdentities += deleted.affectedRows;
      summary.incidentLocations += located.affectedRows;
      summary.visitNotes += noted.affectedRows;
      return rows.length;
    });
    if (purged > 0) summary.batches += 1;
    summary.persons += purged;
    if (purged < options.batchSize) break;
  }
  summary.leadReferrals = await purgeLeadDetails(em, cutoff, options.retentionDays);
  return summary;
}

const LEAD_DETAILS_HELD = `status = ?::lead_status and exited_at < ?::timestamptz
  and (subject_first_name is not null or subject_last_name is not null
       or subject_date_of_birth is not null or where_to_find is not null or contact is not null)`;

/**
 * What a referring officer entered for a LEAD referral (name, date of birth, where to find the
 * person, a contact) goes once the track exited before the cutoff, whether or not the person
 * was ever filed in the vault (a referral made without an overdose may never be). One audited
 * transaction.
 */
async function purgeLeadDetails(
  em: EntityManager,
  cutoff: Date,
  retentionDays: number,
): Promise<number> {
  return em.fork().transactional(async (tx) => {
    const rows = await tx.execute<Array<{ id: string }>>(
      `update lead_referral set subject_first_name = null, subject_last_name = null,
              subject_date_of_birth = null, where_to_find = null, contact = null,
              updated_at = now()
        where ${LEAD_DETAILS_HELD}
       returning id`,
      [LeadStatus.EXITED, cutoff.toISOString()],
    );
    if (rows.length === 0) return 0;
    await recordAuditEvent(tx, {
      actorKind: ActorKind.SYSTEM,
      action: AuditAction.RETENTION_PURGE,
      entityType: 'LeadReferral',
      entityIds: rows.map((r) => r.id),
      purpose: 'RETENTION',
      details: { leadReferrals: rows.length, retentionDays, cutoff: cutoff.toISOString() },
    });
    return rows.length;
  });
}
