import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The permanent random key of one counted unit (cell-key perturbation, docs/disclosure.md).
 * Written by the trigger of the numbers migration when the unit is inserted, never changed:
 * the same records always give the same cell key, whatever query groups them.
 */
@Entity({ tableName: 'stats_record_key' })
export class StatsRecordKey {
  @PrimaryKey({ type: 'uuid' })
  unitId!: string;

  /** 0 ≤ key < 2^20. */
  @Property({ type: 'integer' })
  key!: number;
}

/** An agency's calendar for its statistics: its time zone and the month its fiscal year starts. */
@Entity({ tableName: 'stats_calendar' })
export class StatsCalendar {
  @PrimaryKey({ type: 'uuid' })
  agencyId!: string;

  @Property({ type: 'text', nullable: true })
  timeZone?: string | null;

  @Property({ type: 'smallint', nullable: true })
  fiscalYearStartMonth?: number | null;
}

/** Resident population of a county in a year (Census Bureau county population estimates). */
@Entity({ tableName: 'county_population' })
export class CountyPopulation {
  @PrimaryKey({ type: 'character', length: 5 })
  county!: string;

  @PrimaryKey({ type: 'integer' })
  year!: number;

  @Property({ type: 'integer' })
  population!: number;

  @Property({ type: 'text' })
  countyName!: string;

  @Property({ type: 'text' })
  stateName!: string;
}

/** A county's region, for generalising research extracts (county → region → state). */
@Entity({ tableName: 'county_region' })
export class CountyRegion {
  @PrimaryKey({ type: 'character', length: 5 })
  county!: string;

  @Property({ type: 'text' })
  region!: string;
}

/**
 * A filter region of shared statistics answered to an agency (overlap-guard.ts): later questions
 * are compared with it so that no two answers can be subtracted into a small count.
 */
@Entity({ tableName: 'stats_query_ledger' })
@Index({ properties: ['caller', 'firstAskedAt'] })
export class StatsQueryLedger {
  @PrimaryKey({ type: 'uuid' })
  caller!: string;

  @PrimaryKey({ type: 'text' })
  scope!: string;

  @PrimaryKey({ type: 'text' })
  action!: string;

  /** The normalised region as JSON text (compared as written). */
  @PrimaryKey({ type: 'text' })
  regionText!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  firstAskedAt!: Date;

  /** Order of first asking (a sequence): each question is compared with those before it. */
  @Property({ type: 'bigint' })
  seq!: string;
}
