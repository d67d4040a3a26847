import type { EntityManager } from '@mikro-orm/postgresql';
import { and, pgArray, type Sql } from '../../common/sql';
import { isTimeZone } from '../../common/time-zone';
import { badInput } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import type { StatsFilterInput } from './aggregate.input';
import { aggregateSql, filterSql, type AggregateSpec } from './aggregate-sql';
import { calendarFor, resolveRange, type Calendar, type CalendarDefaults } from './calendar';
import { cellKey, perturbHours } from './cell-key';
import {
  suppressComplementsOf,
  suppressionRelations,
  type SuppressionRelations,
} from './complementary-suppression';
import {
  publishInternal,
  publishRate,
  publishShared,
  type DisclosureRules,
  type PublishedCount,
  type PublishedRate,
} from './disclosure';
import {
  cellId,
  DEFAULT_OVERLAP_LIMITS,
  normaliseRegion,
  overlapSuppression,
  symmetricDifference,
  type DifferenceQuery,
  type StatsRegion,
} from './overlap-guard';
import { checkGroupBy, scopeSql, type AggregateAccess } from './stats-access';
import {
  boundsOf,
  cellAggregateSql,
  cellRegionSql,
  cellsAnswer,
  keptZone,
  type CellQuestion,
} from './stats-cells';
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
  options: { hours: boolean } = { hours: true },
): Promise<ProtectedTable> {
  const { em, access } = request;
  checkGroupBy(access, groupBy);
  const unsupported = groupBy.filter((d) => !spec.dimensions[d]);
  if (unsupported.length) {
    throw badInput({ field: 'groupBy', message: `${unsupported.join(', ')} does not apply here` });
  }
  const calendar = await calendarFor(em, access.viewer, request.calendar, filter?.timeZone);
  const range = resolveRange(filter, calendar, access.grain, request.calendar.maxRangeDays);
  const scope = scopeSql(access, spec.columns);
  const regionWhere = filterSql(spec, filter, range);
  const region = regionOf(range, calendar, filter);
  // The pre-aggregated cells where they hold the answer exactly (stats-cells.ts), else the fact
  // table: the same rows either way, protected alike below.
  const cells: CellQuestion = { spec, groupBy, access, calendar, hours: options.hours };
  const zoneKept = cellsAnswer(cells, region) && (await keptZone(em, calendar.timeZone));
  const fromCells = (a: StatsRegion, b?: StatsRegion) =>
    zoneKept &&
    cellsAnswer(cells, { agencyIds: a.agencyIds ?? b?.agencyIds ?? null }) &&
    (!b || b.timeZone === a.timeZone);
  const rows = await run(
    em,
    fromCells(region)
      ? cellAggregateSql(cells, cellRegionSql(region), !!region.agencyIds, boundsOf(region))
      : aggregateSql(spec, groupBy, and([regionWhere, scope]), calendar),
  );
  const hidden = await guardShared(request, region, groupBy.length, (earlier) =>
    run(
      em,
      fromCells(region, earlier)
        ? cellAggregateSql(
            cells,
            symmetricDifference(cellRegionSql(region), cellRegionSql(earlier)),
            !!(region.agencyIds ?? earlier.agencyIds),
            boundsOf(region, earlier),
            false,
            region.counties,
          )
        : aggregateSql(
            spec,
            groupBy,
            and([
              symmetricDifference(
                regionWhere,
                filterSql(spec, filterOf(earlier), rangeOf(earlier)),
              ),
              scope,
            ]),
            calendar,
          ),
    ),
  );
  const populations = groupBy.includes(StatsDimension.COUNTY)
    ? await countyPopulations(
        em,
        rows,
        groupBy.indexOf(StatsDimension.COUNTY),
        populationYear(range),
      )
    : new Map<string, number>();
  const table = protect(rows, groupBy, request.rules, access.tier, calendar, populations, hidden);
  await auditInternal(request, table);
  return table;
}

/** The filter region of a request, as the overlap ledger keeps it. */
export function regionOf(
  range: { from: { binding: string } | null; to: { binding: string } | null },
  calendar: Calendar,
  filter: StatsFilterInput | undefined,
): StatsRegion {
  return normaliseRegion({
    from: range.from?.binding ?? null,
    to: range.to?.binding ?? null,
    timeZone: calendar.timeZone,
    counties: filter?.counties ?? null,
    agencyIds: filter?.agencyIds ?? null,
  });
}

/** An earlier region's county and agency sets as a filter. */
export function filterOf(region: StatsRegion): StatsFilterInput {
  return { counties: region.counties ?? undefined, agencyIds: region.agencyIds ?? undefined };
}

/** An earlier region's range as SQL bounds (its own time zone). */
export function rangeOf(region: StatsRegion): {
  from: { text: string; binding: string } | null;
  to: { text: string; binding: string } | null;
  days: null;
} {
  if (!isTimeZone(region.timeZone)) throw new Error('overlap ledger: invalid time zone');
  const at = (date: string | null) =>
    date ? { text: `(?::timestamp at time zone '${region.timeZone}')`, binding: date } : null;
  return { from: at(region.from), to: at(region.to), days: null };
}

/**
 * Query-overlap control for shared answers (overlap-guard.ts): the counts to suppress because
 * they differ from an earlier answer to the same agency by 1..threshold. Internal: none.
 */
export async function guardShared(
  request: AggregateRequest,
  region: StatsRegion,
  dimensions: number,
  difference: DifferenceQuery,
): Promise<Map<string, Set<string>>> {
  if (request.access.tier !== 'shared') return new Map();
  const hidden = await overlapSuppression(
    request.em,
    request.access,
    request.action,
    region,
    dimensions,
    request.rules.smallCellMax,
    request.rules.overlap ?? DEFAULT_OVERLAP_LIMITS,
    difference,
  );
  // A question that overlaps an earlier one by a few records is what a differencing attack
  // looks like: it leaves an audit row for review (no counts, no filter values).
  if (hidden.size) {
    await recordAuditEvent(request.em, {
      viewer: request.access.viewer,
      action: request.action,
      entityType: 'Statistics',
      requestId: request.requestId,
      details: { tier: 'SHARED', overlapSuppressedCells: hidden.size },
    });
  }
  return hidden;
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
 * threshold, where query-overlap control says so (`hidden`, by cell id) and where a margin minus
 * its published cells would give a small count back (complementary suppression), the rest
 * perturbed by their cell keys (the `<name>__key` columns). Rates are worked out from the
 * published counts; hours are shown only over a basis that is itself published, and perturbed.
 */
export function protect(
  rows: RawRow[],
  groupBy: StatsDimension[],
  rules: DisclosureRules,
  tier: 'internal' | 'shared',
  calendar: Calendar,
  populations: Map<string, number> = new Map(),
  hidden: Map<string, Set<string>> = new Map(),
): ProtectedTable {
  const all = rows.slice();
  const totalG = (1 << groupBy.length) - 1;
  if (!all.some((r) => Number(r.g) === totalG)) all.push({ g: totalG });
  const countyIndex = groupBy.indexOf(StatsDimension.COUNTY);
  const published = tier === 'shared' ? publishShared_(all, groupBy.length, rules, hidden) : null;
  const cells = all.map((row, index): ProtectedCell => {
    const count = (name: string): PublishedCount =>
      published
        ? (published(name)?.[index] ?? publishShared(0, '0', rules.smallCellMax))
        : publishInternal(Number(row[name] ?? 0));
    const county = countyIndex >= 0 ? (row[`k${countyIndex}`] as string | null) : null;
    return {
      kind: kindOf(Number(row.g), groupBy.length),
      group: groupOf(row, groupBy),
      count,
      rate: (num, den) => publishRate(count(num), count(den), rules),
      hours: (name, basis) => {
        if (count(basis).suppressed || (count(basis).value ?? 0) === 0 || row[name] == null) {
          return null;
        }
        const hours = Number(row[name]);
        return published
          ? perturbHours(hours, cellKey(String(row[`${basis}__key`] ?? '0')))
          : Math.round(hours * 100) / 100;
      },
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

/**
 * Every shared count of every cell, by count name then row index, worked out when a count is
 * first read (an answer selects a few of the counts its rows carry). What depends on the
 * table's shape only — each row's keys and id, the margins and their cells — is worked out once
 * for all counts.
 */
function publishShared_(
  rows: RawRow[],
  dimensions: number,
  rules: DisclosureRules,
  hidden: Map<string, Set<string>>,
): (name: string) => PublishedCount[] | undefined {
  const names = new Set<string>();
  for (const row of rows) {
    for (const key in row) if (key.endsWith('__key')) names.add(key.slice(0, -5));
  }
  let relations: SuppressionRelations | undefined;
  const shape = () =>
    (relations ??= suppressionRelations(
      rows.map((row) => ({
        g: Number(row.g),
        keys: Array.from({ length: dimensions }, (_, d) => {
          const key = row[`k${d}`];
          return key === null || key === undefined ? null : String(key).trim();
        }),
      })),
      dimensions,
    ));
  // Overlap control's cells by row (only when it hid anything).
  const ids = hidden.size ? rows.map((row) => cellId(row, dimensions)) : null;
  const out = new Map<string, PublishedCount[]>();
  return (name) => {
    if (!names.has(name)) return undefined;
    const done = out.get(name);
    if (done) return done;
    const keyName = `${name}__key`;
    const values = rows.map((row) => Number(row[name] ?? 0));
    const first = rows.map((row, i) =>
      publishShared(values[i], String(row[keyName] ?? '0'), rules.smallCellMax),
    );
    const hide = first.map((p, i) => p.suppressed || !!(ids && hidden.get(ids[i])?.has(name)));
    suppressComplementsOf(shape(), values, hide, rules.smallCellMax);
    const published = first.map((p, i) =>
      hide[i] ? { value: null, suppressed: true, internal: false } : p,
    );
    out.set(name, published);
    return published;
  };
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
