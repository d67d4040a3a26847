import type { EntityManager } from '@mikro-orm/postgresql';
import { and, type Sql } from '../../common/sql';
import { badInput } from '../../errors/hub-errors';
import type { StatsFilterInput } from './aggregate.input';
import { aggregateSql, filterSql, type AggregateSpec } from './aggregate-sql';
import {
  publish,
  publishRate,
  suppressTable,
  type Additivity,
  type DisclosureRules,
  type PublishedCount,
  type PublishedRate,
} from './disclosure';
import { checkDateRange, checkGroupBy, scopeSql, type aggregateAccess } from './stats-access';
import { StatsDimension } from './stats-dimension';

type Access = ReturnType<typeof aggregateAccess>;
type RawRow = Record<string, string | number | null>;

export interface StatsGroup {
  month?: string | null;
  week?: string | null;
  county?: string | null;
  agencyId?: string | null;
  agencyName?: string | null;
  officerPresence?: string | null;
  ageBand?: string | null;
  sex?: string | null;
  outcome?: string | null;
}

const GROUP_FIELD: Record<StatsDimension, keyof StatsGroup> = {
  [StatsDimension.MONTH]: 'month',
  [StatsDimension.WEEK]: 'week',
  [StatsDimension.COUNTY]: 'county',
  [StatsDimension.AGENCY]: 'agencyId',
  [StatsDimension.OFFICER_PRESENCE]: 'officerPresence',
  [StatsDimension.AGE_BAND]: 'ageBand',
  [StatsDimension.SEX]: 'sex',
  [StatsDimension.OUTCOME]: 'outcome',
};

/** One published cell: its group, every count with its suppression, and the raw hours. */
export interface ProtectedCell {
  kind: 'row' | 'subtotal' | 'total';
  group: StatsGroup;
  count(name: string): PublishedCount;
  rate(numerator: string, denominator: string): PublishedRate;
  hours(name: string, basis: string): number | null;
}

export interface ProtectedTable {
  groupBy: StatsDimension[];
  cells: ProtectedCell[];
}

/** Validates the request against the caller's access, then runs and protects one aggregate. */
export async function protectedAggregate(
  em: EntityManager,
  access: Access,
  rules: DisclosureRules,
  spec: AggregateSpec,
  groupBy: StatsDimension[],
  filter: StatsFilterInput | undefined,
): Promise<ProtectedTable> {
  checkGroupBy(access, groupBy);
  const unsupported = groupBy.filter((d) => !spec.dimensions[d]);
  if (unsupported.length) {
    throw badInput({ field: 'groupBy', message: `${unsupported.join(', ')} does not apply here` });
  }
  checkDateRange(access.grain, filter);
  const where = and([filterSql(spec, filter), scopeSql(access.viewer, spec.columns)]);
  const statement = aggregateSql(spec, groupBy, where);
  const rows = await run(em, statement);
  return protect(rows, groupBy, Object.keys(spec.counts), rules);
}

export async function run(em: EntityManager, statement: Sql): Promise<RawRow[]> {
  return em.getConnection().execute<RawRow[]>(statement.text, statement.bindings);
}

/**
 * Applies disclosure control to grouping-set rows (g = the GROUPING bitmask; k0, k1 = keys):
 * every count measure is its own table with its margins; rates and hours follow their counts.
 */
export function protect(
  rows: RawRow[],
  groupBy: StatsDimension[],
  measures: string[],
  rules: DisclosureRules,
): ProtectedTable {
  const all = rows.slice();
  // The empty grouping set always answers, even over no rows; this only guards the shape.
  if (!all.some((r) => Number(r.g) === (1 << groupBy.length) - 1)) {
    all.push({ g: (1 << groupBy.length) - 1 });
  }
  const relations = additivity(all, groupBy.length);
  const hidden = new Map<string, boolean[]>();
  const value = (row: RawRow, name: string) => Number(row[name] ?? 0);
  for (const name of measures) {
    hidden.set(
      name,
      suppressTable(
        all.map((r) => value(r, name)),
        relations,
        rules.smallCellMax,
      ),
    );
  }
  const cells = all.map((row, index): ProtectedCell => {
    const isHidden = (name: string) => hidden.get(name)![index];
    return {
      kind: kindOf(Number(row.g), groupBy.length),
      group: groupOf(row, groupBy),
      count: (name) => publish(value(row, name), isHidden(name)),
      rate: (num, den) =>
        publishRate(value(row, num), isHidden(num), value(row, den), isHidden(den), rules),
      hours: (name, basis) =>
        isHidden(basis) || row[name] === null || row[name] === undefined
          ? null
          : Math.round(Number(row[name]) * 100) / 100,
    };
  });
  return { groupBy, cells };
}

function kindOf(g: number, dims: number): ProtectedCell['kind'] {
  if (g === 0 && dims > 0) return 'row';
  return g === (1 << dims) - 1 ? 'total' : 'subtotal';
}

function groupOf(row: RawRow, groupBy: StatsDimension[]): StatsGroup {
  const group: StatsGroup = {};
  groupBy.forEach((d, i) => {
    const key = row[`k${i}`];
    if (key === null || key === undefined) return;
    group[GROUP_FIELD[d]] = String(key);
    if (d === StatsDimension.AGENCY) group.agencyName = (row.agency_name as string | null) ?? null;
  });
  return group;
}

/**
 * The sums a reader can check: with one dimension the total is the sum of the cells; with two,
 * each row and column total is the sum of its cells and the grand total the sum of either margin.
 */
function additivity(rows: RawRow[], dims: number): Additivity[] {
  const total = rows.findIndex((r) => Number(r.g) === (1 << dims) - 1);
  const cells = rows.map((r, i) => ({ r, i })).filter(({ r }) => Number(r.g) === 0);
  if (dims === 0) return [];
  if (dims === 1) return [{ total, parts: cells.map((c) => c.i) }];
  const relations: Additivity[] = [];
  // g = 1: k1 rolled up (the total of one k0); g = 2: k0 rolled up (the total of one k1).
  for (const [g, key] of [
    [1, 'k0'],
    [2, 'k1'],
  ] as const) {
    const margins = rows.map((r, i) => ({ r, i })).filter(({ r }) => Number(r.g) === g);
    for (const margin of margins) {
      relations.push({
        total: margin.i,
        parts: cells.filter((c) => c.r[key] === margin.r[key]).map((c) => c.i),
      });
    }
    relations.push({ total, parts: margins.map((m) => m.i) });
  }
  return relations;
}
