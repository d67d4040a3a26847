import type { EntityManager } from '@mikro-orm/postgresql';
import { alertMessage } from './alert-message';
import type { SpikeAlert } from './spike-alert.entity';

export const DELIVERY_JOB = 'alert-delivery';

/**
 * Plans one delivery per active contact of each agency that serves the alert's county and whose
 * own setting the alert meets, with the queue job that sends it, inside the caller's transaction
 * (the outbox): a delivery exists exactly when its alert committed, and `on conflict` keeps a
 * contact from being planned twice for one alert.
 */
export async function planDeliveries(
  em: EntityManager,
  alert: SpikeAlert,
  runtime: {
    spike: { exceedanceProbability: number; minCount: number };
    smallCellMax: number;
    queue: string;
  },
): Promise<void> {
  const message = alertMessage(
    {
      alertId: alert.id,
      county: alert.county,
      scope: alert.scope,
      counties: alert.counties,
      substance: alert.substance ?? null,
      windowHours: alert.windowHours,
      count: alert.count,
      threshold: alert.threshold,
      raisedAt: alert.raisedAt,
    },
    runtime.smallCellMax,
  );
  // A fixed (CONFIGURED) threshold is the operator's decision for the county: it stands in for
  // the default probability and minimum count (an agency's own setting still applies).
  const configured = alert.thresholdSource === 'CONFIGURED';
  const exceedance = configured ? 0 : (alert.exceedance ?? 1);
  const defaultMinCount = configured ? alert.threshold : runtime.spike.minCount;
  await em.getConnection().execute(
    `with planned as (
       insert into alert_delivery (id, created_at, updated_at, alert_id, contact_id, agency_id,
                                   channel, status, attempts, message)
       select gen_random_uuid(), now(), now(), ?::uuid, c.id, c.agency_id, c.channel, 'PENDING', 0,
              ?::jsonb
         from alert_contact c
         join agency a on a.id = c.agency_id
         left join spike_setting s on s.agency_id = a.id
        where c.active and a.active and ?::text = any(a.service_counties)
          and ?::float8 <= coalesce(s.exceedance_probability, ?::float8)
          and ?::int >= coalesce(s.min_count, ?::int)
          and (?::text = 'COUNTY' or coalesce(s.pool_neighbours, true))
          and (?::text is null or s.substances is null or cardinality(s.substances) = 0
               or ?::text = any(s.substances))
       on conflict (alert_id, contact_id) do nothing
       returning id
     )
     insert into hub_job (id, created_at, updated_at, queue, key, kind, payload, run_at, attempts, rerun)
     select gen_random_uuid(), now(), now(), ?, 'delivery:' || p.id, ?,
            jsonb_build_object('deliveryId', p.id), now(), 0, false
       from planned p`,
    [
      alert.id,
      JSON.stringify(message),
      alert.county,
      exceedance,
      runtime.spike.exceedanceProbability,
      alert.count,
      defaultMinCount,
      alert.scope,
      alert.substance ?? null,
      alert.substance ?? null,
      runtime.queue,
      DELIVERY_JOB,
    ],
    'run',
    em.getTransactionContext(),
  );
}
