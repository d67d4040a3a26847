import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { CaseEvent } from '../case/case-event.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { LeadReferral } from '../lead/lead-referral.entity';

/**
 * One cell of the dashboard grid: a month × county × reporting agency with its running counts.
 * Written only by the triggers of the stats migration (and rebuilt by refreshStatsRollup); the
 * entity exists so the schema check knows the table.
 */
@Entity({ tableName: 'stats_rollup' })
export class StatsRollupCell {
  @PrimaryKey({ type: 'date' })
  month!: string;

  @PrimaryKey({ type: 'character', length: 5 })
  county!: string;

  @PrimaryKey({ type: 'uuid' })
  agencyId!: string;

  @Property({ type: 'integer', default: 0 })
  incidents!: number;

  @Property({ type: 'integer', default: 0 })
  fatal!: number;

  @Property({ type: 'integer', default: 0 })
  naloxoneDoses!: number;

  /** Cases of these incidents with at least one contact attempt. */
  @Property({ type: 'integer', default: 0 })
  contacted!: number;

  // Sums of the record keys of each count's records (cell-key perturbation of shared cells).
  @Property({ type: 'bigint', default: 0 })
  incidentsKey!: string;

  @Property({ type: 'bigint', default: 0 })
  fatalKey!: string;

  @Property({ type: 'bigint', default: 0 })
  naloxoneDosesKey!: string;

  @Property({ type: 'bigint', default: 0 })
  contactedKey!: string;
}

// The aggregates' own indexes on other modules' tables, declared here (and created by hand in
// the stats migration) so that those entities stay untouched and the schema check knows them.
Index({
  name: 'stats_incident_occurred_at_brin',
  expression: `create index "stats_incident_occurred_at_brin" on "overdose_incident" using brin ("occurred_at")`,
})(OverdoseIncident);
Index({
  name: 'stats_incident_person_occurred_at',
  expression: `create index "stats_incident_person_occurred_at" on "overdose_incident" ("person_id", "occurred_at") where "person_id" is not null`,
})(OverdoseIncident);
Index({
  name: 'stats_case_event_case_to_status',
  expression: `create index "stats_case_event_case_to_status" on "case_event" ("case_id", "to_status")`,
})(CaseEvent);
Index({
  name: 'stats_lead_referral_case_status',
  expression: `create index "stats_lead_referral_case_status" on "lead_referral" ("case_id", "status")`,
})(LeadReferral);
