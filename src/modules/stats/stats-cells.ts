import type { EntityManager } from '@mikro-orm/postgresql';
import { and, pgArray, sql, type Sql } from '../../common/sql';
import { namesSql, type AggregateSpec } from './aggregate-sql';
import { timeLabelSql, type Calendar, type TimeGrouping } from './calendar';
import type { StatsRegion } from './overlap-guard';
import { scopeSql, type AggregateAccess } from './stats-access';
import { StatsDimension, TIME_DIMENSIONS } from './stats-dimension';

/**
 * The aggregates from pre-aggregated cells (issue 15 point 9; migration stats_cells). The table
 * `stats_cell` holds, per kept time zone × local day × county × (dimension, value), the sum of
 * every count of overdoseStats, followUpStats and outcomeStats and of its records' keys. It is
 * kept by statement triggers on the fact table, so it follows the fact table through amendments,
 * late reports, event merges and their undo, in the same transaction.
 *
 * A question is answered from the cells when they hold its answer exactly:
 * - shared scopes (jurisdiction, research) — each unit is in the cells once, by county; an
 *   agency's own numbers (OWN_AGENCY) are its own reports and cases, few, and read from the fact
 *   table where "reported or co-reported by, or routed to" is one condition;
 * - at most one dimension besides dates and county (the cells are split by one at a time), and
 *   with an agency filter none but AGENCY (the agency is itself one of those splits);
 * - a time zone whose local days the cells keep (`stats_cell_zone`);
 * - no percentile of hours asked for (medians and 90th percentiles do not add up across cells:
 *   they are computed exactly from the fact table whenever a caller selects them).
 * Anything else is answered from the fact table as before. Both give the same rows (the same
 * counts and key sums, test/stats-cells.spec.ts), so the disclosure control after them —
 * suppression, complementary suppression, the overlap ledger, perturbation — is the same.
 */

/** The cell columns of a count: `incidents` → n_incidents / k_incidents (camel to snake). */
const column = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Each dimension split in the cells, by family where the two families differ. */
function cellDimension(d: StatsDimension, family: 'O' | 'C'): string {
  if (d === StatsDimension.OUTCOME || d === StatsDimension.AGENCY) return `${d}:${family}`;
  return d;
}

const isTime = (d: StatsDimension) => (TIME_DIMENSIONS as readonly StatsDimension[]).includes(d);
const isSplit = (d: StatsDimension) => !isTime(d) && d !== StatsDimension.COUNTY;

export interface CellQuestion {
  spec: AggregateSpec;
  groupBy: readonly StatsDimension[];
  access: Pick<AggregateAccess, 'viewer' | 'scope'>;
  calendar: Calendar;
  /** Whether the caller selected a percentile of hours (answered exactly, from the fact table). */
  hours: boolean;
}

/** Whether the cells answer the question in this region (see the top of this file). */
export function cellsAnswer(q: CellQuestion, region: Pick<StatsRegion, 'agencyIds'>): boolean {
  if (!q.spec.cellFamily || q.access.scope === 'own-agency') return false;
  if (q.hours && q.spec.hours) return false;
  const splits = q.groupBy.filter(isSplit);
  if (splits.length > 1) return false;
  return !region.agencyIds || splits.every((d) => d === StatsDimension.AGENCY);
}

/** Whether the cells of this zone are whole (kept and built). */
export async function keptZone(em: EntityManager, zone: string): Promise<boolean> {
  const [row] = await em
    .getConnection()
    .execute<Array<{ n: string }>>(
      'select count(*) as n from stats_cell_zone where zone = ? and ready',
      [zone],
    );
  return Number(row.n) > 0;
}

/**
 * Up to this many units the cells of a new zone are built at once (a second or two); past it,
 * building them would hold every report's write back for minutes.
 */
export const BUILD_ZONE_AT_ONCE_MAX_UNITS = 20_000;

/**
 * Keeps cells of one more zone (an agency's new calendar). On a small hub they are built from
 * the fact table at once. On a large one the zone is kept by the triggers from now on and is
 * whole after the next rebuild (refreshStatsRollup), or when an operator builds it in a quiet
 * hour (`select stats_cell_keep_zone('…')`, which makes writers wait while it runs); until then
 * the zone's questions are answered from the fact table.
 */
export async function keepZone(em: EntityManager, zone: string): Promise<void> {
  const connection = em.getConnection();
  const [size] = await connection.execute<Array<{ units: number }>>(
    `select greatest(reltuples, 0)::int as units from pg_class where oid = 'stats_fact'::regclass`,
  );
  const small = Number(size?.units ?? 0) <= BUILD_ZONE_AT_ONCE_MAX_UNITS;
  await connection.execute(`select stats_cell_${small ? 'keep' : 'want'}_zone(?)`, [zone]);
}

/**
 * The grain of cells that answers exactly (migrations stats_cells and stats_cell_week): months
 * when no day or week is asked for and every bound of the region (and of the region it is
 * compared with) is the first of a month; ISO weeks (the Monday as their day) when no day,
 * month, quarter or fiscal year is asked for and every bound is a Monday; else days.
 */
function cellTable(groupBy: readonly StatsDimension[], bounds: ReadonlyArray<string | null>) {
  const asked = (...ds: StatsDimension[]) => groupBy.some((d) => ds.includes(d));
  const D = StatsDimension;
  if (!asked(D.DAY, D.WEEK) && bounds.every((b) => !b || b.endsWith('-01'))) {
    return 'stats_cell_month';
  }
  const monday = (b: string) => new Date(`${b}T00:00:00Z`).getUTCDay() === 1;
  if (!asked(D.DAY, D.MONTH, D.QUARTER, D.FISCAL_YEAR) && bounds.every((b) => !b || monday(b))) {
    return 'stats_cell_week';
  }
  return 'stats_cell';
}

/** The local-date bounds of regions (for the choice of grain). */
export const boundsOf = (...regions: Array<Pick<StatsRegion, 'from' | 'to'>>) =>
  regions.flatMap((r) => [r.from, r.to]);

/** A filter region as conditions on the cells (`c`): local days, counties, agencies. */
export function cellRegionSql(
  region: Pick<StatsRegion, 'from' | 'to' | 'counties' | 'agencyIds'>,
): Sql {
  const parts: Sql[] = [];
  if (region.from) parts.push(sql('c.day >= ?::date', region.from));
  if (region.to) parts.push(sql('c.day < ?::date', region.to));
  if (region.counties) parts.push(sql('c.county = any(?::bpchar[])', pgArray(region.counties)));
  // Only over the AGENCY cells (cellAggregateSql reads those when a region names agencies).
  if (region.agencyIds) parts.push(sql('c.value = any(?::text[])', pgArray(region.agencyIds)));
  return and(parts);
}

/**
 * The aggregate's statement over the cells (day, week or month cells by `bounds`, the local dates
 * that bound the regions read), with the result columns of aggregateSql (g, k0, k1,
 * each count and its `__key` sum, the names). `region` is the condition on the cells
 * (cellRegionSql, or the symmetric difference of two); `byAgency` says that a region names
 * agencies, so the AGENCY cells are read (each unit is in exactly one of them).
 */
export function cellAggregateSql(
  q: CellQuestion,
  region: Sql,
  byAgency: boolean,
  bounds: ReadonlyArray<string | null> = [],
  /** The names of agencies and counties (not for the overlap ledger's differences). */
  names = true,
  /**
   * For the overlap ledger's difference with an earlier region: the counties the answer can
   * have (its own filter). Only the answer's cells are looked up in a difference, so the other
   * counties' cells are added up into one bucket and dropped, while every margin over counties
   * stays whole.
   */
  answerCounties: readonly string[] | null = null,
): Sql {
  const family = q.spec.cellFamily!;
  const table = cellTable(q.groupBy, bounds);
  const zone = q.calendar.timeZone;
  const dims = q.groupBy;
  const split = dims.findIndex(isSplit);
  const bucket = answerCounties && dims.includes(StatsDimension.COUNTY);
  const keyOf = (d: StatsDimension) =>
    isTime(d)
      ? timeLabelSql(d as TimeGrouping, 'c.day::timestamp', q.calendar)
      : d === StatsDimension.COUNTY
        ? bucket
          ? `case when c.county = any(?::bpchar[]) then c.county::text else '' end`
          : 'c.county::text'
        : 'c.value';
  const base = Object.keys(q.spec.counts)[0];
  const measures = Object.keys(q.spec.counts)
    .flatMap((name) => [
      `coalesce(sum(n_${column(name)}), 0)::int as "${name}"`,
      `coalesce(sum(k_${column(name)}), 0)::text as "${name}__key"`,
    ])
    .join(', ');
  const scope = scopeSql(q.access, {
    county: 'c.county',
    reportingAgency: 'null::uuid',
    routedAgency: 'null::uuid',
  });
  const total = (1 << dims.length) - 1;
  const everySet: number[][] =
    dims.length === 2 ? [[0, 1], [0], [1], []] : dims.length === 1 ? [[0], []] : [[]];
  // The sets that group by the split dimension read its cells; the others the unit's own
  // (dimension '') or, for an agency filter, the AGENCY cells.
  const splitSets = everySet.filter((set) => split >= 0 && set.includes(split));
  const otherSets = everySet.filter((set) => !(split >= 0 && set.includes(split)));
  const ownCells = byAgency ? cellDimension(StatsDimension.AGENCY, family) : '';
  const select = (sets: number[][], dim: string) => {
    const grouped = dims.map((_, i) => sets.some((s) => s.includes(i)));
    const g = dims
      .map((_, i) => (grouped[i] ? `(grouping(k${i}) << ${i})` : `${1 << i}`))
      .join(' | ');
    const keys = dims.flatMap((d, i) => (grouped[i] ? [`${keyOf(d)}::text as k${i}`] : []));
    // Only the question's own counts are carried (the cells hold every aggregate's).
    // Summed first by the finest keys asked (a hash aggregate over narrow rows), then into
    // every grouping set: far fewer rows to sort than the cells themselves.
    const carried = Object.keys(q.spec.counts).flatMap((n) =>
      ['n', 'k'].map((p) => `sum(c.${p}_${column(n)}) as ${p}_${column(n)}`),
    );
    const byKeys = keys.length ? ` group by ${keys.map((_, i) => i + 1).join(', ')}` : '';
    const outKeys = dims.map((_, i) => (grouped[i] ? `, k${i}` : `, null::text as k${i}`));
    const sets_ = sets.map((s) => `(${s.map((i) => `k${i}`).join(', ')})`).join(', ');
    const gExpr = dims.length ? g : '0';
    const where = and([sql('c.zone = ? and c.dim = ?', zone, dim), region, scope]);
    return {
      text: `select ${gExpr} as g${outKeys.join('')}, ${measures}
               from (select ${[...keys, ...carried].join(', ')} from ${table} c
                      where ${where.text}${byKeys}) c
              group by grouping sets (${sets_})
             having (${gExpr}) = ${total} or sum(n_${column(base)}) > 0`,
      bindings: [
        ...dims.flatMap((d, i) =>
          bucket && grouped[i] && d === StatsDimension.COUNTY ? [pgArray(answerCounties!)] : [],
        ),
        ...where.bindings,
      ],
    };
  };
  const parts = [
    ...(splitSets.length ? [select(splitSets, cellDimension(dims[split], family))] : []),
    ...(otherSets.length ? [select(otherSets, ownCells)] : []),
  ];
  return {
    text: `select s.*${names ? namesSql(dims) : ''} from (${parts.map((p) => p.text).join('\n union all\n')}) s${
      bucket ? ` where coalesce(s.k${dims.indexOf(StatsDimension.COUNTY)}, '-') <> ''` : ''
    }`,
    bindings: parts.flatMap((p) => p.bindings),
  };
}
