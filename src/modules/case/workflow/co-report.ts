import type { EntityManager } from '@mikro-orm/postgresql';
import type { HubConfig } from '../../../config';
import { openNumber } from '../../../crypto/encrypted-number.type';

/** One new report, as far as matching it to an open overdose event goes. */
export interface EventProbe {
  /** The survivor's vault entry (known or new). */
  personId?: string;
  /** The hub knew the person before this round: only then can an event of theirs be open. */
  personKnown: boolean;
  /** True when the report names a survivor (known or new): it never matches by place. */
  named: boolean;
  county: string;
  occurredAt: Date;
  latitude?: number | null;
  longitude?: number | null;
  reportingAgencyId: string;
}

/** An event a new report may join, locked for this transaction. */
export interface OpenEvent {
  id: string;
  personId: string | null;
  county: string;
  occurredAt: Date;
  latitude: number | null;
  longitude: number | null;
  /** Agencies that already sent a report of it. */
  agencyIds: string[];
}

export type CoReportRule = HubConfig['coReport'];

const MINUTE = 60_000;
const EARTH_RADIUS_METERS = 6_371_000;

/**
 * Every event any of the reports could join, in ONE statement, locked in id order: a merge of
 * one of them, or another report joining it, waits for this transaction (and a merge already
 * committed has taken its event out of the set). The candidates are wide (window only); which
 * event a report joins is `matchEvent`.
 */
export async function lockCandidateEvents(
  tx: EntityManager,
  probes: readonly EventProbe[],
  rule: CoReportRule,
): Promise<OpenEvent[]> {
  const wanted = probes.filter((p) => p.personKnown || (!p.named && hasPlace(p)));
  if (wanted.length === 0) return [];
  const rows = await tx.getConnection().execute<
    Array<{
      id: string;
      person_id: string | null;
      county: string;
      occurred_at: Date;
      latitude: string | null;
      longitude: string | null;
      agency_ids: string[];
    }>
  >(
    `select e.id, e.person_id, e.county::text as county, e.occurred_at, e.latitude, e.longitude,
            array(select distinct s.reporting_agency_id::text from overdose_incident s
                   where s.event_id = e.id) as agency_ids
       from overdose_event e
      where e.merged_into_id is null
        and e.id in (
          select c.id from overdose_event c
            join jsonb_to_recordset(?::jsonb) as r(person_id uuid, county text, at timestamptz, place boolean)
              on (r.person_id is not null and c.person_id = r.person_id
                  and c.occurred_at between r.at - make_interval(mins => ?) and r.at + make_interval(mins => ?))
              or (r.place and c.county = r.county and c.latitude is not null
                  and c.occurred_at between r.at - make_interval(mins => ?) and r.at + make_interval(mins => ?)))
      order by e.id
      for update of e`,
    [
      JSON.stringify(
        wanted.map((p) => ({
          person_id: p.personKnown ? p.personId : null,
          county: p.county,
          at: p.occurredAt.toISOString(),
          place: !p.named && hasPlace(p),
        })),
      ),
      rule.personWindowMinutes,
      rule.personWindowMinutes,
      rule.placeWindowMinutes,
      rule.placeWindowMinutes,
    ],
    'all',
    tx.getTransactionContext(),
  );
  return rows.map((row) => ({
    id: row.id,
    personId: row.person_id,
    county: row.county,
    occurredAt: new Date(row.occurred_at),
    // Stored encrypted like the incident's place (privacy at rest); opened here to measure.
    latitude: openNumber(row.latitude) ?? null,
    longitude: openNumber(row.longitude) ?? null,
    agencyIds: row.agency_ids,
  }));
}

/**
 * The event a new report joins, if any: the same person within the person window; or, for a
 * report that names no one, an event in the same county within the place window and distance
 * (both with coordinates) that its own agency has not reported yet — one agency does not report
 * one overdose twice, while two people overdosing at one party are two events. The nearest in
 * time wins.
 */
export function matchEvent(
  probe: EventProbe,
  events: readonly OpenEvent[],
  rule: CoReportRule,
): OpenEvent | undefined {
  const at = probe.occurredAt.getTime();
  const apart = (event: OpenEvent) => Math.abs(event.occurredAt.getTime() - at);
  const fits = events.filter((event) => {
    if (probe.personId) {
      return event.personId === probe.personId && apart(event) <= rule.personWindowMinutes * MINUTE;
    }
    if (probe.named || !hasPlace(probe) || event.latitude === null || event.longitude === null) {
      return false;
    }
    return (
      event.county === probe.county &&
      !event.agencyIds.includes(probe.reportingAgencyId) &&
      apart(event) <= rule.placeWindowMinutes * MINUTE &&
      metersBetween(probe.latitude!, probe.longitude!, event.latitude, event.longitude) <=
        rule.placeMeters
    );
  });
  return fits.sort((a, b) => apart(a) - apart(b) || a.id.localeCompare(b.id))[0];
}

function hasPlace(probe: EventProbe): boolean {
  return typeof probe.latitude === 'number' && typeof probe.longitude === 'number';
}

/** Great-circle distance (haversine): exact enough at a few hundred metres. */
export function metersBetween(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Two existing events that the intake's rule says are one overdose. */
export interface CoReportPair {
  /** The later event: it joins `intoEventId`. */
  eventId: string;
  intoEventId: string;
  rule: 'PERSON' | 'PLACE';
  minutesApart: number;
  county: string;
}

/**
 * Co-reports among events already stored (reports from before the intake matched them), by the
 * intake's own rule (`matchEvent`): each later event against the earlier open ones it could have
 * joined, the candidates found in one statement. A chain (three reports of one overdose) joins
 * its earliest event. In time order, so applying the pairs one after another is the intake replayed.
 */
export async function findCoReportPairs(
  em: EntityManager,
  rule: CoReportRule,
): Promise<CoReportPair[]> {
  const rows = await em.getConnection().execute<
    Array<{
      later_id: string;
      later_person_id: string | null;
      later_county: string;
      later_at: Date;
      later_lat: string | null;
      later_lng: string | null;
      later_agency_id: string;
      id: string;
      person_id: string | null;
      county: string;
      occurred_at: Date;
      latitude: string | null;
      longitude: string | null;
      agency_ids: string[];
    }>
  >(
    `select l.id as later_id, l.person_id as later_person_id, l.county::text as later_county,
            l.occurred_at as later_at, l.latitude as later_lat, l.longitude as later_lng,
            (select s.reporting_agency_id from overdose_incident s where s.id = l.id) as later_agency_id,
            e.id, e.person_id, e.county::text as county, e.occurred_at, e.latitude, e.longitude,
            array(select distinct s.reporting_agency_id::text from overdose_incident s
                   where s.event_id = e.id) as agency_ids
       from overdose_event l
       join overdose_event e
         on e.merged_into_id is null and (e.occurred_at, e.id) < (l.occurred_at, l.id)
        and ((l.person_id is not null and e.person_id = l.person_id
              and e.occurred_at >= l.occurred_at - make_interval(mins => ?))
          or (l.person_id is null and l.latitude is not null and l.longitude is not null
              and e.county = l.county and e.latitude is not null
              and e.occurred_at >= l.occurred_at - make_interval(mins => ?)))
      where l.merged_into_id is null
      order by l.occurred_at, l.id`,
    [rule.personWindowMinutes, rule.placeWindowMinutes],
  );
  const byLater = new Map<string, { probe: EventProbe & { id: string }; events: OpenEvent[] }>();
  for (const row of rows) {
    const entry = byLater.get(row.later_id) ?? {
      probe: {
        id: row.later_id,
        personId: row.later_person_id ?? undefined,
        personKnown: row.later_person_id !== null,
        named: row.later_person_id !== null,
        county: row.later_county,
        occurredAt: new Date(row.later_at),
        latitude: openNumber(row.later_lat) ?? null,
        longitude: openNumber(row.later_lng) ?? null,
        reportingAgencyId: row.later_agency_id,
      },
      events: [],
    };
    entry.events.push({
      id: row.id,
      personId: row.person_id,
      county: row.county,
      occurredAt: new Date(row.occurred_at),
      latitude: openNumber(row.latitude) ?? null,
      longitude: openNumber(row.longitude) ?? null,
      agencyIds: row.agency_ids,
    });
    byLater.set(row.later_id, entry);
  }
  // Where each event ends up, so that a chain joins its earliest event.
  const rootOf = new Map<string, string>();
  const pairs: CoReportPair[] = [];
  for (const { probe, events } of byLater.values()) {
    const match = matchEvent(probe, events, rule);
    if (!match) continue;
    const into = rootOf.get(match.id) ?? match.id;
    if (into === probe.id) continue;
    rootOf.set(probe.id, into);
    pairs.push({
      eventId: probe.id,
      intoEventId: into,
      rule: probe.personId ? 'PERSON' : 'PLACE',
      minutesApart: Math.round((probe.occurredAt.getTime() - match.occurredAt.getTime()) / MINUTE),
      county: probe.county,
    });
  }
  return pairs;
}
