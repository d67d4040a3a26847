/**
 * What every statistic counts, in one place. Today the unit is the report: one row of
 * `overdose_incident` (alias `i`), its case the one whose index incident it is, its permanent
 * record key in `stats_record_key`. In SQL the same choice is the view `stats_fact_source` (one
 * row per unit with all its numbers; migration stats_fact), which the triggers copy into
 * `stats_fact` for the aggregates and the feedback. When one overdose becomes one event with
 * several source reports (issue 13), this module and that view change to the event — its table,
 * its representative report's columns and its key — and every aggregate follows.
 */
export const COUNT_UNIT = {
  /** In words, for the docs and the extract's metadata. */
  name: 'report',
  /** The counted rows, aliased `i`: occurred_at, county, reporting_agency_id, fatal, person_id… */
  from: 'overdose_incident i',
  /** Joins the unit's record key as `rk` (cell-key perturbation). */
  keyJoin: 'join stats_record_key rk on rk.unit_id = i.id',
  /** The record key column, 0 ≤ key < 2^20. */
  key: 'rk.key',
  /** When the hub received the unit (for the reporting lag). */
  receivedAt: 'i.created_at',
} as const;
