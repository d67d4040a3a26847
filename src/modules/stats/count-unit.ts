/**
 * What every statistic counts, in one place. The unit is the overdose event (police and EMS at
 * one overdose are one), represented by its index report: the row of `overdose_incident` (alias
 * `i`) whose id is its event's (`i.id = i.event_id`), its case the one whose index incident it
 * is, its permanent record key in `stats_record_key`. In SQL the same choice is the view
 * `stats_fact_source` (one row per event with all its numbers, the doses and reporting agencies
 * of all its sources; migration overdose_events), which the triggers copy into `stats_fact` for
 * the aggregates and the feedback.
 */
export const COUNT_UNIT = {
  /** In words, for the docs and the extract's metadata. */
  name: 'overdose event',
  /** The counted rows, aliased `i`: occurred_at, county, reporting_agency_id, fatal, person_id… */
  from: 'overdose_incident i',
  /** True for the one report that stands for its event (co-reports and merged-away are not). */
  isEventIndex: 'i.id = i.event_id',
  /** Joins the unit's record key as `rk` (cell-key perturbation). */
  keyJoin: 'join stats_record_key rk on rk.unit_id = i.id',
  /** The record key column, 0 ≤ key < 2^20. */
  key: 'rk.key',
  /** When the hub received the unit (for the reporting lag). */
  receivedAt: 'i.created_at',
} as const;
