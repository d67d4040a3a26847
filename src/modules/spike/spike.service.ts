import {
  LockMode,
  UniqueConstraintViolationException,
  type EntityManager,
} from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { HubConfig } from '../../config';
import { raiseAfterCommit } from '../../events/domain-events';
import { pgArray } from '../../common/sql';
import { isUuid } from '../../common/uuid';
import { notFound } from '../../errors/hub-errors';
import { publishCount } from '../stats/disclosure';
import { planDeliveries } from './alert-plan';
import { neighbouringCounties } from './county-adjacency';
import { SpikeAlert } from './spike-alert.entity';
import type { SpikeAlertsFilter } from './spike.input';
import { spikeTest } from './spike-method';
import type { SpikeAlertType } from './spike.types';

const DAY_MS = 86_400_000;
const MAX_ALERTS = 200;
const WINDOWS_DAYS = [1, 7] as const;
/** "Unknown" is not a substance whose spike means anything. */
const NOT_A_SUBSTANCE = 'UNKNOWN';

export type SpikeConfig = HubConfig['spike'];

/** What a spike check needs besides the database. */
export interface SpikeRuntime {
  spike: SpikeConfig;
  /** Counts up to this are withheld from alert text (STATS_SMALL_CELL_MAX). */
  smallCellMax: number;
  /** The job queue that sends deliveries (JOB_QUEUE). */
  queue: string;
}

export type SpikeScope = 'COUNTY' | 'NEIGHBOURS';

export interface SpikeReading {
  county: string;
  scope: SpikeScope;
  counties: string[];
  substance: string | null;
  windowHours: number;
  count: number;
  threshold: number;
  source: 'CONFIGURED' | 'BASELINE';
  expected: number | null;
  baselineCount: number;
  exceedance: number;
  windowStart: Date;
  windowEnd: Date;
}

interface CountRow {
  county: string;
  substance: string | null;
  day: number;
  week: number;
  base: number;
}

/**
 * Overdoses per county and per suspected substance in the last day, the last 7 days, and the
 * baseline weeks before those 7 days: one statement on the (county, occurred_at) index. Counties
 * are compared as `bpchar`, the column's type, so the index serves the range.
 */
async function readCounts(
  em: EntityManager,
  counties: readonly string[],
  baselineWeeks: number,
  now: Date,
): Promise<CountRow[]> {
  const dayStart = new Date(now.getTime() - DAY_MS);
  const weekStart = new Date(now.getTime() - 7 * DAY_MS);
  const baseStart = new Date(weekStart.getTime() - baselineWeeks * 7 * DAY_MS);
  const counts = `count(*) filter (where i.occurred_at > ?::timestamptz)::int as day,
      count(*) filter (where i.occurred_at > ?::timestamptz)::int as week,
      count(*) filter (where i.occurred_at <= ?::timestamptz)::int as base`;
  // Overdose events, not reports: police and EMS at one overdose are one (stats/count-unit.ts);
  // an event's substances are those any of its reports named.
  const where = `i.county = any(?::bpchar[]) and i.occurred_at > ?::timestamptz
      and i.occurred_at <= ?::timestamptz and i.id = i.event_id`;
  const bind = [dayStart, weekStart, weekStart, pgArray(counties), baseStart, now];
  // The comment names the statement in statement logs (test/intake-batch.spec.ts counts them).
  return em.getConnection().execute<CountRow[]>(
    `/* spike-check */ select i.county::text as county, null::text as substance, ${counts}
       from overdose_incident i where ${where} group by i.county
     union all
     select i.county::text, s::text, ${counts}
       from overdose_incident i cross join lateral (
              select distinct x from overdose_incident src cross join lateral unnest(src.suspected_substances) x
               where src.event_id = i.id) e(s)
      where ${where} group by i.county, s`,
    [...bind, ...bind],
  );
}

/**
 * The most sensitive setting among the hub's defaults and the agencies serving the county: the
 * alert is raised for the most watchful agency; each agency is told only at its own setting.
 */
async function raiseSetting(
  em: EntityManager,
  config: SpikeConfig,
  county: string,
): Promise<{ probability: number; minCount: number }> {
  const [row] = await em
    .getConnection()
    .execute<Array<{ probability: number | null; min_count: number | null }>>(
      `select max(s.exceedance_probability)::float8 as probability, min(s.min_count)::int as min_count
       from spike_setting s join agency a on a.id = s.agency_id
      where a.active and ?::text = any(a.service_counties)`,
      [county],
    );
  return {
    probability: Math.max(config.exceedanceProbability, row?.probability ?? 0),
    minCount: Math.min(config.minCount, row?.min_count ?? Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Every signal of a county: alone and pooled with its neighbours, all overdoses and each
 * suspected substance, over 24 hours and 7 days. A pooled signal needs at least one overdose in
 * the county itself (it is that county's alert); substances are read where they occurred.
 */
export async function readCounty(
  em: EntityManager,
  config: SpikeConfig,
  county: string,
  now = new Date(),
): Promise<SpikeReading[]> {
  const neighbours = neighbouringCounties(county);
  const rows = await readCounts(em, [county, ...neighbours], config.baselineWeeks, now);
  const setting = await raiseSetting(em, config, county);
  const baselineDays = config.baselineWeeks * 7;
  const scopes: Array<[SpikeScope, string[]]> = [['COUNTY', [county]]];
  if (neighbours.length > 0) scopes.push(['NEIGHBOURS', [county, ...neighbours]]);
  const substances = [
    null,
    ...new Set(
      rows
        .filter((r) => r.substance && r.substance !== NOT_A_SUBSTANCE && r.week > 0)
        .map((r) => r.substance),
    ),
  ];
  const readings: SpikeReading[] = [];
  for (const [scope, counties] of scopes) {
    for (const substance of substances) {
      const mine = rows.filter((r) => r.substance === substance && counties.includes(r.county));
      const sum = (k: 'day' | 'week' | 'base') => mine.reduce((n, r) => n + r[k], 0);
      const own = rows.find((r) => r.substance === substance && r.county === county);
      for (const days of WINDOWS_DAYS) {
        const count = sum(days === 1 ? 'day' : 'week');
        if (scope === 'NEIGHBOURS' && (own?.[days === 1 ? 'day' : 'week'] ?? 0) === 0) continue;
        const test = spikeTest(
          count,
          days,
          { count: sum('base'), days: baselineDays },
          setting.probability,
          setting.minCount,
        );
        const configured =
          scope === 'COUNTY' && substance === null && days === 1
            ? config.thresholds.get(county)
            : undefined;
        readings.push({
          county,
          scope,
          counties,
          substance,
          windowHours: days * 24,
          count,
          threshold: configured ?? test.threshold,
          source: configured !== undefined ? 'CONFIGURED' : 'BASELINE',
          expected: test.expected,
          baselineCount: sum('base'),
          exceedance: test.exceedance,
          windowStart: new Date(now.getTime() - days * DAY_MS),
          windowEnd: now,
        });
      }
    }
  }
  return readings;
}

const signalKey = (a: { scope: string; substance?: string | null; windowHours: number }): string =>
  `${a.scope}|${a.substance ?? ''}|${a.windowHours}`;

/**
 * Raises, updates or ends each of the county's alerts from fresh readings, and plans the
 * deliveries of raised alerts in the same transaction. Safe on several instances at once: open
 * alerts are locked, and a second insert fails on the one-open-alert index.
 */
export async function checkCounty(
  em: EntityManager,
  runtime: SpikeRuntime,
  county: string,
  now = new Date(),
): Promise<void> {
  const readings = await readCounty(em, runtime.spike, county, now);
  try {
    await em.fork().transactional(async (tx) => {
      const open = await tx.find(
        SpikeAlert,
        { county, endedAt: null },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      const openByKey = new Map(open.map((a) => [signalKey(a), a]));
      const seen = new Set<string>();
      const told: SpikeAlert[] = [];
      for (const reading of readings) {
        const key = signalKey(reading);
        seen.add(key);
        const alert = openByKey.get(key);
        const spiking = reading.count >= reading.threshold && reading.count > 0;
        if (!alert && spiking) {
          const raised = tx.create(SpikeAlert, {
            county,
            scope: reading.scope,
            counties: reading.counties,
            substance: reading.substance ?? undefined,
            windowHours: reading.windowHours,
            windowStart: reading.windowStart,
            windowEnd: reading.windowEnd,
            count: reading.count,
            threshold: reading.threshold,
            thresholdSource: reading.source,
            expected: reading.expected ?? undefined,
            baselineCount: reading.baselineCount,
            exceedance: reading.exceedance,
            raisedAt: now,
          });
          told.push(raised);
          raiseAfterCommit(tx, 'spikeAlert', { alertId: raised.id, county, state: 'RAISED' });
        } else if (alert && !spiking) {
          alert.endedAt = now;
          raiseAfterCommit(tx, 'spikeAlert', { alertId: alert.id, county, state: 'ENDED' });
        } else if (alert && reading.count > alert.count) {
          // A growing spike may now meet a less watchful agency's own setting.
          alert.count = reading.count;
          alert.exceedance = reading.exceedance;
          alert.windowEnd = now;
          told.push(alert);
        }
      }
      // An open alert whose signal was not read (its substance left the 7-day window) ends.
      for (const alert of open) {
        if (seen.has(signalKey(alert)) || alert.endedAt) continue;
        alert.endedAt = now;
        raiseAfterCommit(tx, 'spikeAlert', { alertId: alert.id, county, state: 'ENDED' });
      }
      await tx.flush();
      for (const alert of told) await planDeliveries(tx, alert, runtime);
    });
  } catch (error) {
    // Another instance raised the same alert a moment earlier.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
}

/** Counties worth a look on the timer: overdoses in the last 7 days, or an alert still open. */
export async function countiesToCheck(em: EntityManager, now = new Date()): Promise<string[]> {
  const rows = await em.getConnection().execute<Array<{ county: string }>>(
    `select distinct county::text as county from overdose_incident where occurred_at > ?::timestamptz
     union select county::text from spike_alert where ended_at is null`,
    [new Date(now.getTime() - 7 * DAY_MS)],
  );
  return rows.map((r) => r.county);
}

/** A report in a county can change its own signals and its neighbours' pooled ones. */
export function countiesAffectedBy(county: string): string[] {
  return [county, ...neighbouringCounties(county)];
}

/** Row scope of alerts: counties the caller's own agency serves (its jurisdiction). */
const SCOPE = `exists (select 1 from agency a
  where a.id = ?::uuid and s.county::text = any(a.service_counties))`;

export async function listSpikeAlerts(
  em: EntityManager,
  viewer: Viewer,
  filter: SpikeAlertsFilter | undefined,
  smallCellMax: number,
): Promise<SpikeAlertType[]> {
  const where = [SCOPE];
  const params: unknown[] = [viewer.agencyId];
  if (filter?.county) {
    where.push('s.county = ?::text');
    params.push(filter.county);
  }
  if (filter?.activeOnly) where.push('s.ended_at is null');
  if (filter?.since) {
    where.push('s.raised_at >= ?::timestamptz');
    params.push(filter.since);
  }
  if (filter?.scope) {
    where.push('s.scope = ?::text');
    params.push(filter.scope);
  }
  const rows = await em.getConnection().execute<AlertRow[]>(
    `select ${COLUMNS} from spike_alert s where ${where.join(' and ')}
      order by s.raised_at desc, s.id limit ${MAX_ALERTS}`,
    params,
  );
  return rows.map((row) => toType(row, smallCellMax));
}

/** One alert in the caller's scope; out of scope answers like a missing one. */
export async function getSpikeAlert(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  smallCellMax: number,
): Promise<SpikeAlertType> {
  const rows = isUuid(id)
    ? await em
        .getConnection()
        .execute<AlertRow[]>(
          `select ${COLUMNS} from spike_alert s where s.id = ?::uuid and ${SCOPE}`,
          [id, viewer.agencyId],
        )
    : [];
  if (rows.length === 0) throw notFound('Spike alert');
  return toType(rows[0], smallCellMax);
}

const COLUMNS = `s.id, s.county, s.scope, s.counties, s.substance, s.window_hours, s.window_start,
  s.window_end, s.count, s.threshold, s.threshold_source, s.expected, s.baseline_count,
  s.exceedance, s.raised_at, s.ended_at`;

interface AlertRow {
  id: string;
  county: string;
  scope: string;
  counties: string[];
  substance: string | null;
  window_hours: number;
  window_start: Date;
  window_end: Date;
  count: number;
  threshold: number;
  threshold_source: string;
  expected: number | null;
  baseline_count: number | null;
  exceedance: number | null;
  raised_at: Date;
  ended_at: Date | null;
}

/**
 * Counts 1..smallCellMax are withheld, and so is everything a withheld count could be worked
 * back from: the exceedance probability with it, the expected count with a small baseline.
 */
function toType(row: AlertRow, smallCellMax: number): SpikeAlertType {
  const count = publishCount(row.count, smallCellMax);
  const baselinePublished = (row.baseline_count ?? 0) === 0 || row.baseline_count! > smallCellMax;
  return {
    id: row.id,
    county: row.county,
    scope: row.scope,
    counties: row.counties,
    substance: row.substance ?? undefined,
    windowHours: row.window_hours,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    count: count.value,
    countSuppressed: count.suppressed,
    threshold: row.threshold,
    thresholdSource: row.threshold_source,
    expected:
      row.expected !== null && baselinePublished ? Math.round(row.expected * 10) / 10 : null,
    exceedanceProbability: count.suppressed ? null : row.exceedance,
    raisedAt: row.raised_at,
    endedAt: row.ended_at ?? undefined,
    active: row.ended_at === null,
  };
}
