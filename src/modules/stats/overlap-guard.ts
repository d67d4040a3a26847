import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Sql } from '../../common/sql';
import { badInput } from '../../errors/hub-errors';
import type { AggregateAccess } from './stats-access';

/**
 * Audited query-overlap control for shared tables (docs/disclosure.md, "No differencing"). The
 * hub keeps, per agency, the filter regions (date range in a time zone, county and agency sets)
 * of the shared questions it has answered it (`stats_query_ledger`). A new question whose region
 * overlaps an earlier one is compared with it: for every cell and count, the records in one
 * region and not the other are counted. Where that difference is 1..threshold, subtracting the
 * two answers would recover a small count, so the cell's count is suppressed in the new answer.
 * The earlier answer stays as it was: only the second of a pair gives the difference away.
 *
 * This makes every two-query attack (overlapping county sets, ranges a day apart, a rolling
 * window, the complement of a set) come back suppressed however often it is varied, so there is
 * nothing to average. Longer combinations are bounded by the budget of distinct regions.
 */
export interface StatsRegion {
  /** Local dates, `to` exclusive (null: open). */
  from: string | null;
  to: string | null;
  timeZone: string;
  /** Sorted; null: every county of the caller's scope. */
  counties: string[] | null;
  agencyIds: string[] | null;
}

export interface OverlapLimits {
  /** Earlier regions are remembered (and compared) for this many days. */
  windowDays: number;
  /** At most this many distinct regions per agency in the window; a new one past it is refused. */
  maxRegions: number;
}

export const DEFAULT_OVERLAP_LIMITS: OverlapLimits = { windowDays: 365, maxRegions: 200 };

type RawRow = Record<string, string | number | null>;

/** The counts of each cell of the difference between the new region and an earlier one. */
export type DifferenceQuery = (earlier: StatsRegion) => Promise<RawRow[]>;

/** The cell a raw row belongs to: its grouping bitmask and dimension values. */
export function cellId(row: RawRow, dimensions: number): string {
  const keys = Array.from({ length: dimensions }, (_, i) => {
    const key = row[`k${i}`];
    return key === null || key === undefined ? '' : String(key).trim();
  });
  return [String(Number(row.g)), ...keys].join('\u0001');
}

export function normaliseRegion(region: StatsRegion): StatsRegion {
  const sorted = (v: string[] | null) => (v ? [...new Set(v.map((x) => x.trim()))].sort() : null);
  return {
    from: region.from,
    to: region.to,
    timeZone: region.timeZone,
    counties: sorted(region.counties),
    agencyIds: sorted(region.agencyIds),
  };
}

/** Regions are compared as written (normalised, keys in one order): the ledger keeps that text. */
const sameRegion = (a: StatsRegion, b: StatsRegion) =>
  JSON.stringify(normaliseRegion(a)) === JSON.stringify(normaliseRegion(b));

/** Whether two regions can share a record (a cheap test before the database is asked). */
function mayOverlap(a: StatsRegion, b: StatsRegion): boolean {
  const intersects = (x: string[] | null, y: string[] | null) =>
    !x || !y || x.some((v) => y.includes(v));
  if (!intersects(a.counties, b.counties) || !intersects(a.agencyIds, b.agencyIds)) return false;
  // Dates in different zones are shifted by hours: treat them as overlapping.
  if (a.timeZone !== b.timeZone) return true;
  const before = (end: string | null, start: string | null) => !!end && !!start && end <= start;
  return !before(a.to, b.from) && !before(b.to, a.from);
}

/** Whose ledger: the caller's agency (its analysts could pool their answers), per scope. */
function ledgerKey(access: AggregateAccess): { caller: string; scope: string } {
  return { caller: access.viewer.agencyId, scope: access.scope };
}

/**
 * The counts to suppress in the new answer, by cell id: those whose difference with an earlier
 * answer of the same question to the same agency is 1..max records. Refuses a new region past
 * the budget. Writes the region to the ledger.
 */
export async function overlapSuppression(
  em: EntityManager,
  access: AggregateAccess,
  action: string,
  region: StatsRegion,
  dimensions: number,
  max: number,
  limits: OverlapLimits,
  difference: DifferenceQuery,
): Promise<Map<string, Set<string>>> {
  const hidden = new Map<string, Set<string>>();
  const { caller, scope } = ledgerKey(access);
  const connection = em.getConnection();
  const readLedger = async () =>
    (
      await connection.execute<
        Array<{ action: string; scope: string; region_text: string; seq: string }>
      >(
        `select action, scope, region_text, seq from stats_query_ledger
          where caller = ? and first_asked_at > now() - make_interval(days => ?)`,
        [caller, limits.windowDays],
      )
    ).map((e) => ({ ...e, seq: BigInt(e.seq), region: JSON.parse(e.region_text) as StatsRegion }));
  const same = (e: { action: string; scope: string }) => e.action === action && e.scope === scope;
  const before = await readLedger();
  if (
    !before.some((e) => same(e) && sameRegion(e.region, region)) &&
    new Set(before.map((e) => e.region_text)).size >= limits.maxRegions
  ) {
    throw badInput({
      field: 'filter',
      message: `shared statistics take at most ${limits.maxRegions} different filters (date range, time zone, counties, agencies) per agency in ${limits.windowDays} days: use one you have used before`,
    });
  }
  // The region is written before it is compared, and compared with every region written before
  // it: of two questions asked at once, the later-written one sees the other.
  const seq = await rememberRegion(em, access, action, region, limits.windowDays);
  const compared = (await readLedger()).filter(
    (e) => same(e) && e.seq < seq && !sameRegion(e.region, region) && mayOverlap(e.region, region),
  );
  for (const previous of compared) {
    for (const row of await difference(previous.region)) {
      const id = cellId(row, dimensions);
      for (const [name, value] of Object.entries(row)) {
        if (name.endsWith('__key') || !Object.hasOwn(row, `${name}__key`)) continue;
        const n = Number(value ?? 0);
        if (n >= 1 && n <= max) {
          const names = hidden.get(id) ?? new Set<string>();
          names.add(name);
          hidden.set(id, names);
        }
      }
    }
  }
  return hidden;
}

/**
 * Writes the region to the agency's ledger once (a region last written before the window is
 * written anew) and returns its place in the order of first asking.
 */
async function rememberRegion(
  em: EntityManager,
  access: AggregateAccess,
  action: string,
  region: StatsRegion,
  windowDays: number,
): Promise<bigint> {
  const { caller, scope } = ledgerKey(access);
  const text = JSON.stringify(normaliseRegion(region));
  const connection = em.getConnection();
  await connection.execute(
    `insert into stats_query_ledger (caller, scope, action, region_text, seq)
     values (?, ?, ?, ?, nextval('stats_query_ledger_seq'))
     on conflict (caller, scope, action, region_text) do update
       set first_asked_at = now(), seq = nextval('stats_query_ledger_seq')
       where stats_query_ledger.first_asked_at <= now() - make_interval(days => ?)`,
    [caller, scope, action, text, windowDays],
  );
  const [row] = await connection.execute<Array<{ seq: string }>>(
    `select seq from stats_query_ledger
      where caller = ? and scope = ? and action = ? and region_text = ?`,
    [caller, scope, action, text],
  );
  return BigInt(row.seq);
}

/** Rows in exactly one of two regions: `a` and `b` are conditions over the same rows. */
export function symmetricDifference(a: Sql, b: Sql): Sql {
  // The disjunction first, so that the planner can use the indexes of either region's bounds.
  return sql(
    `((${a.text}) or (${b.text})) and coalesce((${a.text}), false) <> coalesce((${b.text}), false)`,
    ...a.bindings,
    ...b.bindings,
    ...a.bindings,
    ...b.bindings,
  );
}
