import type { EntityManager } from '@mikro-orm/postgresql';
import { and, pgArray, type Sql } from '../../common/sql';
import { badInput } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import type { StatsFilterInput } from './aggregate.input';
import { aggregateSql, filterSql, type AggregateSpec } from './aggregate-sql';
import { calendarFor, resolveRange, type Calendar, type CalendarDefaults } from './calendar';
import {
  publishInternal,
  publishRate,
  publishShared,
  type DisclosureRules,
  type PublishedCount,
  type PublishedRate,
} from './disclosure';
import { checkGroupBy, scopeSql, type AggregateAccess } from './stats-access';
import { StatsDimension } from './stats-dimension';

type RawRow = Record<string, string | number | null>;

export interface StatsGroup {
  day?: string | null;
  week?: string | null;
  month?: string | null;
  quarter?: string | null;
  fiscalYear?: string | null;
  county?: string | null;
  countyName?: string | null;
  agencyId?: string | null;
  agencyName?: string | null;
  officerPresence?: string | null;
  ageBand?: string | null;
  sex?: string | null;
  raceEthnicity?: string | null;
  substanceCategory?: string | null;
  naloxoneGivenBy?: string | null;
  caseSource?: string | null;
  outcome?: string | null;
}

const GROUP_FIELD: Record<StatsDimension, keyof StatsGroup> = {
  [StatsDimension.DAY]: 'day',
  [StatsDimension.WEEK]: 'week',
  [StatsDimension.MONTH]: 'month',
  [StatsDimension.QUARTER]: 'quarter',
  [StatsDimension.FISCAL_YEAR]: 'fiscalYear',
  [StatsDimension.COUNTY]: 'county',
  [StatsDimension.AGENCY]: 'agencyId',
  [StatsDimension.OFFICER_PRESENCE]: 'officerPresence',
  [StatsDimension.AGE_BAND]: 'ageBand',
  [StatsDimension.SEX]: 'sex',
  [StatsDimension.RACE_ETHNICITY]: 'raceEthnicity',
  [StatsDimension.SUBSTANCE_CATEGORY]: 'substanceCategory',
  [StatsDimension.NALOXONE_GIVEN_BY]: 'naloxoneGivenBy',
  [StatsDimension.CASE_SOURCE]: 'caseSource',
  [StatsDimension.OUTCOME]: 'outcome',
};

/** One published cell: its group, every count under the tier's rule, rates and hours. */
export interface ProtectedCell {
  kind: 'row' | 'subtotal' | 'total';
  group: StatsGroup;
  count(name: string): PublishedCount;
  rate(numerator: string, denominator: string): PublishedRate;
  hours(name: string, basis: string): number | null;
  /** Events per 100,000 residents of the cell's county (null without a county or population). */
  ratePer100k(name: string): PublishedRate;
}

export interface ProtectedTable {
  groupBy: StatsDimension[];
  internal: boolean;
  timeZone: string;
  cells: ProtectedCell[];
}

/** What one aggregate request needs besides its spec and arguments. */
export interface AggregateRequest {
  em: EntityManager;
  access: AggregateAccess;
  rules: DisclosureRules;
  calendar: CalendarDefaults;
  requestId?: string;
  /** The field coordinate, for the audit of internal reads. */
  action: string;
}

/** Events per 100,000 are flagged unstable under this many events (NCHS). */
export const RATE_UNSTABLE_BELOW = 20;

/** Validates the request against the caller's access, then runs and protects one aggregate. */
export async function protectedAggregate(
  request: AggregateRequest,
  spec: AggregateSpec,
  groupBy: StatsDimension[],
  filter: StatsFilterInput | undefined,
): Promise<ProtectedTable> {
  const { em, access } = request;
  checkGroupBy(access, groupBy);
  const unsupported = groupBy.filter((d) => !spec.dimensions[d]);
  if (unsupported.length) {
    throw badInput({ field: 'groupBy', message: `${unsupported.join(', ')} does not apply here` });
  }
  const calendar = await calendarFor(em, access.viewer, request.calendar, filter?.timeZone);
  const range = resolveRange(filter, calendar, access.grain, request.calendar.maxRangeDays);
  const where = and([filterSql(spec, filter, range), scopeSql(access, spec.columns)]);
  const rows = await run(em, aggregateSql(spec, groupBy, where, calendar));
  const populations = groupBy.includes(StatsDimension.COUNTY)
    ? await countyPopulations(
        em,
        rows,
        groupBy.indexOf(StatsDimension.COUNTY),
        populationYear(range),
      )
    : new Map<string, number>();
  const table = protect(rows, groupBy, request.rules, access.tier, calendar, populations);
  await auditInternal(request, table);
  return table;
}

export async function run(em: EntityManager, statement: Sql): Promise<RawRow[]> {
  return em.getConnection().execute<RawRow[]>(statement.text, statement.bindings);
}

/** Internal numbers are exact operational data: each read leaves an audit row. */
export async function auditInternal(
  request: AggregateRequest,
  table: ProtectedTable,
): Promise<void> {
  if (!table.internal) return;
  await recordAuditEvent(request.em, {
    viewer: request.access.viewer,
    action: request.action,
    entityType: 'Statistics',
    requestId: request.requestId,
    details: { tier: 'INTERNAL', groupBy: table.groupBy, cells: table.cells.length },
  });
}

/** The population year of a query: the year its range ends in (local), else this year. */
function populationYear(range: { to: { binding: string } | null }): number {
  const end = range.to?.binding;
  if (end) {
    const year = Number(end.slice(0, 4));
    return end.endsWith('-01-01') ? year - 1 : year;
  }
  return new Date().getUTCFullYear();
}

/** Each county's latest population estimate up to `year` (or its earliest one after it). */
export async function countyPopulations(
  em: EntityManager,
  rows: RawRow[],
  keyIndex: number,
  year: number,
): Promise<Map<string, number>> {
  const counties = [
    ...new Set(
      rows.map((r) => r[`k${keyIndex}`]).filter((c): c is string => typeof c === 'string'),
    ),
  ].filter((c) => /^\d{5}$/.test(c));
  if (!counties.length) return new Map();
  const found = await em.getConnection().execute<Array<{ county: string; population: number }>>(
    `select distinct on (county) county, population from county_population
      where county = any(?::bpchar[])
      order by county, (year <= ?) desc, case when year <= ? then -year else year end`,
    [pgArray(counties), year, year],
  );
  return new Map(found.map((r) => [r.county.trim(), Number(r.population)]));
}

/**
 * Applies the tier's rule to the rows: internal counts exact; shared counts suppressed under the
 * threshold and perturbed by their cell keys (the `<name>__key` columns). Rates are worked out
 * from the published counts; hours are shown only over a basis that is itself published.
 */
export function protect(
  rows: RawRow[],
  groupBy: StatsDimension[],
  rules: DisclosureRules,
  tier: 'internal' | 'shared',
  calendar: Calendar,
  populations: Map<string, number> = new Map(),
): ProtectedTable {
  const all = rows.slice();
  const totalG = (1 << groupBy.length) - 1;
  if (!all.some((r) => Number(r.g) === totalG)) all.push({ g: totalG });
  const countyIndex = groupBy.indexOf(StatsDimension.COUNTY);
  const cells = all.map((row): ProtectedCell => {
    const published = new Map<string, PublishedCount>();
    const count = (name: string): PublishedCount => {
      let p = published.get(name);
      if (!p) {
        const value = Number(row[name] ?? 0);
        p =
          tier === 'internal'
            ? publishInternal(value)
            : publishShared(value, String(row[`${name}__key`] ?? '0'), rules.smallCellMax);
        published.set(name, p);
      }
      return p;
    };
    const county = countyIndex >= 0 ? (row[`k${countyIndex}`] as string | null) : null;
    return {
      kind: kindOf(Number(row.g), groupBy.length),
      group: groupOf(row, groupBy),
      count,
      rate: (num, den) => publishRate(count(num), count(den), rules),
      hours: (name, basis) =>
        count(basis).suppressed || (count(basis).value ?? 0) === 0 || row[name] == null
          ? null
          : Math.round(Number(row[name]) * 100) / 100,
      ratePer100k: (name) => {
        const c = count(name);
        const population = county ? populations.get(county) : undefined;
        if (c.suppressed) return { value: null, suppressed: true, unstable: false };
        if (!population) return { value: null, suppressed: false, unstable: false };
        const value = c.value ?? 0;
        return {
          value: Math.round((value / population) * 100_000 * 10) / 10,
          suppressed: false,
          unstable: value < RATE_UNSTABLE_BELOW,
        };
      },
    };
  });
  return { groupBy, internal: tier === 'internal', timeZone: calendar.timeZone, cells };
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
    group[GROUP_FIELD[d]] = String(key).trim();
    if (d === StatsDimension.AGENCY) group.agencyName = (row.agency_name as string | null) ?? null;
    if (d === StatsDimension.COUNTY) group.countyName = (row.county_name as string | null) ?? null;
  });
  return group;
}
