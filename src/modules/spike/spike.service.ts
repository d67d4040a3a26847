import {
  LockMode,
  UniqueConstraintViolationException,
  type EntityManager,
} from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { HubConfig } from '../../config';
import { raiseAfterCommit } from '../../events/domain-events';
import { isUuid } from '../../common/uuid';
import { notFound } from '../../errors/hub-errors';
import { publishCount } from '../stats/disclosure';
import { SpikeAlert } from './spike-alert.entity';
import type { SpikeAlertsFilter } from './spike.input';
import type { SpikeAlertType } from './spike.types';

const DAY_MS = 86_400_000;
const MAX_ALERTS = 200;

export type SpikeConfig = HubConfig['spike'];

export interface SpikeReading {
  county: string;
  count: number;
  threshold: number;
  source: 'CONFIGURED' | 'BASELINE';
  windowStart: Date;
  windowEnd: Date;
}

/**
 * The rolling 24-hour count of suspected overdoses (every reported incident, fatal or not) in a
 * county, and its threshold: the configured one, or mean + k·sd of the county's daily counts over
 * the baseline weeks before the window, never below the floor. One statement. County codes are
 * compared as `bpchar`, the column's type: compared as text, the column would be cast and the
 * (county, occurred_at) index could not serve the range counts.
 */
export async function readCounty(
  em: EntityManager,
  config: SpikeConfig,
  county: string,
  now = new Date(),
): Promise<SpikeReading> {
  const windowStart = new Date(now.getTime() - DAY_MS);
  const baselineDays = config.baselineWeeks * 7;
  const [row] = await em
    .getConnection()
    .execute<Array<{ count: number; mean: number | null; sd: number | null }>>(
      `with days as (
       select d from generate_series(1, ?::int) d
     ), daily as (
       select d, (select count(*) from overdose_incident i
                   where i.county = ?::bpchar
                     and i.occurred_at >  ?::timestamptz - make_interval(days => d)
                     and i.occurred_at <= ?::timestamptz - make_interval(days => d - 1)) as n
         from days
     )
     select (select count(*)::int from overdose_incident i
              where i.county = ?::bpchar and i.occurred_at > ?::timestamptz
                and i.occurred_at <= ?::timestamptz) as count,
            (select avg(n)::float8 from daily) as mean,
            (select stddev_pop(n)::float8 from daily) as sd`,
      [baselineDays, county, windowStart, windowStart, county, windowStart, now],
    );
  const configured = config.thresholds.get(county);
  const derived = Math.max(
    config.minThreshold,
    Math.ceil((row.mean ?? 0) + config.sdMultiplier * (row.sd ?? 0)),
  );
  return {
    county,
    count: row.count,
    threshold: configured ?? derived,
    source: configured !== undefined ? 'CONFIGURED' : 'BASELINE',
    windowStart,
    windowEnd: now,
  };
}

/**
 * Raises, updates or ends the county's alert from a fresh reading. Safe on several instances at
 * once: the open alert is locked, and a second insert fails on the one-open-alert index.
 */
export async function checkCounty(
  em: EntityManager,
  config: SpikeConfig,
  county: string,
  now = new Date(),
): Promise<void> {
  const reading = await readCounty(em, config, county, now);
  try {
    await em.fork().transactional(async (tx) => {
      const open = await tx.findOne(
        SpikeAlert,
        { county, endedAt: null },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      const spiking = reading.count >= reading.threshold;
      if (!open && spiking) {
        const alert = tx.create(SpikeAlert, {
          county,
          windowStart: reading.windowStart,
          windowEnd: reading.windowEnd,
          count: reading.count,
          threshold: reading.threshold,
          thresholdSource: reading.source,
          raisedAt: now,
        });
        raiseAfterCommit(tx, 'spikeAlert', { alertId: alert.id, county, state: 'RAISED' });
      } else if (open && !spiking) {
        open.endedAt = now;
        raiseAfterCommit(tx, 'spikeAlert', { alertId: open.id, county, state: 'ENDED' });
      } else if (open && reading.count > open.count) {
        open.count = reading.count;
      }
    });
  } catch (error) {
    // Another instance raised the same county's alert a moment earlier.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
}

/** Counties worth a look on the timer: recent incidents, or an alert still open. */
export async function countiesToCheck(em: EntityManager, now = new Date()): Promise<string[]> {
  const rows = await em.getConnection().execute<Array<{ county: string }>>(
    `select distinct county from overdose_incident where occurred_at > ?::timestamptz
     union select county from spike_alert where ended_at is null`,
    [new Date(now.getTime() - DAY_MS)],
  );
  return rows.map((r) => r.county);
}

/** Row scope of alerts: counties the caller's own agency serves (its jurisdiction). */
const SCOPE = `exists (select 1 from agency a
  where a.id = ?::uuid and s.county::text = any(a.service_counties))`;

export async function listSpikeAlerts(
  em: EntityManager,
  viewer: Viewer,
  filter: SpikeAlertsFilter | undefined,
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
  const rows = await em.getConnection().execute<AlertRow[]>(
    `select ${COLUMNS} from spike_alert s where ${where.join(' and ')}
      order by s.raised_at desc, s.id limit ${MAX_ALERTS}`,
    params,
  );
  return rows.map(toType);
}

/** One alert in the caller's scope; out of scope answers like a missing one. */
export async function getSpikeAlert(
  em: EntityManager,
  viewer: Viewer,
  id: string,
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
  return toType(rows[0]);
}

const COLUMNS = `s.id, s.county, s.window_start, s.window_end, s.count, s.threshold,
  s.threshold_source, s.raised_at, s.ended_at`;

interface AlertRow {
  id: string;
  county: string;
  window_start: Date;
  window_end: Date;
  count: number;
  threshold: number;
  threshold_source: string;
  raised_at: Date;
  ended_at: Date | null;
}

function toType(row: AlertRow): SpikeAlertType {
  const count = publishCount(row.count);
  return {
    id: row.id,
    county: row.county,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    count: count.value,
    countSuppressed: count.suppressed,
    threshold: row.threshold,
    thresholdSource: row.threshold_source,
    raisedAt: row.raised_at,
    endedAt: row.ended_at ?? undefined,
    active: row.ended_at === null,
  };
}
