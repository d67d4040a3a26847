import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { insertJsonRows, type PlainRow } from '../common/json-insert';
import { CaseEvent } from '../modules/case/case-event.entity';
import { Case } from '../modules/case/case.entity';
import { OverdoseIncident } from '../modules/incident/incident.entity';
import { NaloxoneAdministration } from '../modules/incident/naloxone-administration.entity';
import { LeadReferral } from '../modules/lead/lead-referral.entity';
import { Outcome } from '../modules/outcome/outcome.entity';
import { Consent } from '../modules/outreach/consent.entity';
import { OutreachAttempt } from '../modules/outreach/outreach-attempt.entity';
import { Person } from '../modules/person/person.entity';
import { ReportedIdentity } from '../modules/incident/reported-identity.entity';

/**
 * A small, realistic, entirely synthetic world for the demo hub: about 200 overdoses over the
 * last 90 days in three counties, reported by the demo police, EMS and harm-reduction agencies,
 * with cases at every stage, outreach attempts, consents, a LEAD referral and outcomes, so that
 * /dashboard and every query show something on first start. Names are invented, phone numbers
 * are in the fictional 555-01xx range. Deterministic (a fixed pseudo-random sequence), relative
 * to the time of seeding. Only ever seeded with the rest of the demo data (never in production).
 */
export interface DemoWorldAgencies {
  police: string;
  ems: string;
  harmReduction: string;
  lead: string;
  outreachWorker: string;
  policeOfficer: string;
}

/** Buncombe, Haywood and Madison, North Carolina, weighted like their populations. */
export const DEMO_WORLD_COUNTIES: Array<[fips: string, weight: number]> = [
  ['37021', 0.62],
  ['37087', 0.24],
  ['37115', 0.14],
];

/**
 * Vintage-2024-style county estimates for the demo counties (approximate, for demo rates only:
 * import the Census file with `npm run cli -- import populations` for real ones).
 */
export const DEMO_POPULATIONS: Array<[string, string, number]> = [
  ['37021', 'Buncombe County', 276800],
  ['37087', 'Haywood County', 63500],
  ['37115', 'Madison County', 22100],
];

const FIRST = [
  'Alex',
  'Jordan',
  'Casey',
  'Riley',
  'Morgan',
  'Taylor',
  'Jamie',
  'Drew',
  'Sam',
  'Quinn',
  'Avery',
  'Robin',
];
const LAST = [
  'Demo-Rivers',
  'Demo-Hollow',
  'Demo-Ridge',
  'Demo-Creek',
  'Demo-Laurel',
  'Demo-Pine',
  'Demo-Branch',
  'Demo-Meadow',
];
const SUBSTANCES = [
  ['FENTANYL'],
  ['FENTANYL', 'XYLAZINE'],
  ['HEROIN'],
  ['FENTANYL', 'METHAMPHETAMINE'],
  ['PRESCRIPTION_OPIOID'],
  ['UNKNOWN'],
  ['COCAINE', 'FENTANYL'],
];
const RACES = [
  ['WHITE'],
  ['WHITE'],
  ['WHITE'],
  ['BLACK_OR_AFRICAN_AMERICAN'],
  ['HISPANIC_OR_LATINO'],
  ['AMERICAN_INDIAN_OR_ALASKA_NATIVE'],
  [],
];
const AGE_BANDS = [
  'AGE_15_24',
  'AGE_25_34',
  'AGE_25_34',
  'AGE_35_44',
  'AGE_35_44',
  'AGE_45_54',
  'AGE_55_64',
];
const PRESENCE = ['NONE', 'NONE', 'NONE', 'WARM_HANDOFF_ONLY', 'PLAIN_CLOTHES', 'UNIFORMED'];

/** The path a case took to its status now (every stage of DESIGN.md's state machine). */
const PATHS: Array<{ weight: number; path: string[]; close?: string }> = [
  { weight: 6, path: ['REPORTED', 'REFERRED'] },
  { weight: 10, path: ['REPORTED', 'REFERRED', 'ASSIGNED'] },
  { weight: 40, path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH'] },
  { weight: 6, path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ON_HOLD'] },
  { weight: 18, path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ENGAGED'] },
  { weight: 12, path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ENGAGED', 'LINKED'] },
  {
    weight: 8,
    path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ENGAGED', 'LINKED', 'FOLLOW_UP'],
  },
  {
    weight: 10,
    path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'CLOSED'],
    close: 'UNABLE_TO_CONTACT',
  },
  {
    weight: 6,
    path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'CLOSED'],
    close: 'DECLINED_SERVICES',
  },
  {
    weight: 6,
    path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ENGAGED', 'CLOSED'],
    close: 'HARM_REDUCTION_ONLY',
  },
  {
    weight: 5,
    path: ['REPORTED', 'REFERRED', 'ASSIGNED', 'OUTREACH', 'ENGAGED', 'LINKED', 'CLOSED'],
    close: 'LINKED_TO_CARE',
  },
  {
    weight: 2,
    path: ['REPORTED', 'TRIAGE', 'REFERRED', 'REFERRAL_DECLINED', 'TRIAGE', 'REFERRED', 'ASSIGNED'],
  },
];

/** Park–Miller: the same world on every first start. */
function prng(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return {
    next,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    weighted: <T extends { weight: number }>(list: readonly T[]): T => {
      const total = list.reduce((s, x) => s + x.weight, 0);
      let r = next() * total;
      for (const x of list) if ((r -= x.weight) < 0) return x;
      return list[list.length - 1];
    },
  };
}

const HOUR = 3_600_000;

export async function seedDemoWorld(
  tx: EntityManager,
  a: DemoWorldAgencies,
  now = new Date(),
): Promise<number> {
  const r = prng(150_415);
  const people: PlainRow[] = [];
  const identities: PlainRow[] = [];
  const asReported = new Map<string, PlainRow>();
  const incidents: PlainRow[] = [];
  const doses: PlainRow[] = [];
  const cases: PlainRow[] = [];
  const events: PlainRow[] = [];
  const attempts: PlainRow[] = [];
  const consents: PlainRow[] = [];
  const outcomes: PlainRow[] = [];
  const leads: PlainRow[] = [];
  const stamp = (at: Date) => ({ id: randomUUID(), createdAt: at, updatedAt: at });

  const COUNT = 204;
  let repeatOf: { person: string; at: Date } | undefined;
  for (let n = 0; n < COUNT; n++) {
    // Spread over the last 90 days, more in the evening, none in the future.
    const daysAgo = r.next() * 89 + 0.5;
    const occurredAt = new Date(now.getTime() - daysAgo * 24 * HOUR);
    occurredAt.setUTCHours(Math.floor(r.next() * 24));
    if (occurredAt > now) occurredAt.setTime(now.getTime() - 2 * HOUR);
    const county = (() => {
      let x = r.next();
      for (const [fips, w] of DEMO_WORLD_COUNTIES) if ((x -= w) < 0) return fips;
      return DEMO_WORLD_COUNTIES[0][0];
    })();
    const fatal = r.next() < 0.07;
    const reporter = r.next() < 0.55 ? a.ems : r.next() < 0.8 ? a.police : a.harmReduction;
    // Every 25th overdose is the repeat overdose of an earlier survivor.
    let personId: string;
    if (repeatOf && n % 25 === 0 && occurredAt > repeatOf.at) {
      personId = repeatOf.person;
    } else {
      personId = randomUUID();
      const reported = {
        firstName: r.pick(FIRST),
        lastName: r.pick(LAST),
        dateOfBirth: `19${60 + Math.floor(r.next() * 40)}-0${1 + Math.floor(r.next() * 9)}-1${Math.floor(r.next() * 9)}`,
        phone:
          r.next() < 0.75
            ? `828-555-01${String(Math.floor(r.next() * 100)).padStart(2, '0')}`
            : null,
        street: r.next() < 0.6 ? `${100 + Math.floor(r.next() * 800)} Demo Street` : null,
        city: 'Demo Town',
        state: 'NC',
        sex: r.next() < 0.68 ? 'MALE' : 'FEMALE',
        raceEthnicity: r.pick(RACES),
      };
      asReported.set(personId, reported);
      // The person row only links reports (and keeps the demographics statistics count).
      people.push({
        ...stamp(occurredAt),
        id: personId,
        doNotContact: false,
        sex: reported.sex,
        raceEthnicity: reported.raceEthnicity,
      });
      if (!fatal && r.next() < 0.3) repeatOf = { person: personId, at: occurredAt };
    }
    const incidentId = randomUUID();
    // The values are the reporter's (identity follows its sources): one row per report.
    identities.push({ ...stamp(occurredAt), incident: incidentId, ...asReported.get(personId) });
    // Reports reach the hub from a few minutes to a day after the overdose.
    const receivedAt = new Date(
      occurredAt.getTime() + (0.1 + r.next() * (r.next() < 0.8 ? 2 : 24)) * HOUR,
    );
    incidents.push({
      ...stamp(receivedAt > now ? now : receivedAt),
      id: incidentId,
      reportingAgency: reporter,
      externalId: `DEMO-${String(n + 1).padStart(4, '0')}`,
      occurredAt,
      county,
      fatal,
      suspectedSubstances: r.pick(SUBSTANCES),
      emsDisposition:
        reporter === a.ems
          ? r.pick(['TRANSPORTED', 'TRANSPORTED', 'REFUSED_TRANSPORT', 'TREATED_AND_RELEASED'])
          : null,
      officerWarmHandoff: reporter === a.police && r.next() < 0.3,
      ageBand: r.pick(AGE_BANDS),
      person: personId,
      reportedById: a.policeOfficer,
    });
    const given = r.next() < 0.85 ? 1 + Math.floor(r.next() * 3) : 0;
    for (let d = 0; d < given; d++) {
      doses.push({
        ...stamp(occurredAt),
        incident: incidentId,
        administeredAt: new Date(occurredAt.getTime() + d * 0.05 * HOUR),
        doseMg: '4.00',
        route: 'IN',
        administeredBy: d === 0 ? r.pick(['BYSTANDER', 'FAMILY', 'POLICE', 'EMS', 'EMS']) : 'EMS',
        response: r.pick(['IMPROVED', 'IMPROVED', 'IMPROVED', 'UNCHANGED']),
      });
    }

    const caseId = randomUUID();
    const opens = new Date(occurredAt.getTime() + 24 * HOUR);
    const due = new Date(occurredAt.getTime() + 72 * HOUR);
    const age = now.getTime() - occurredAt.getTime();
    // Young cases cannot have gone far yet.
    const route = fatal
      ? { path: ['REPORTED', 'CLOSED'], close: 'NOT_ELIGIBLE' }
      : age < 12 * HOUR
        ? PATHS[0]
        : age < 30 * HOUR
          ? PATHS[1]
          : r.weighted(PATHS);
    const status = route.path[route.path.length - 1];
    const step = Math.max(1, Math.min(age / HOUR / (route.path.length + 1), 72));
    route.path.forEach((to, i) =>
      events.push({
        ...stamp(new Date(receivedAt.getTime() + i * step * HOUR)),
        case: caseId,
        fromStatus: i === 0 ? null : route.path[i - 1],
        toStatus: to,
        reason: to === 'CLOSED' ? route.close : null,
        actorId: i > 1 ? a.outreachWorker : null,
      }),
    );
    cases.push({
      ...stamp(receivedAt),
      id: caseId,
      person: personId,
      indexIncident: incidentId,
      county,
      status,
      closeReason: route.close ?? null,
      routedAgency: fatal ? null : a.harmReduction,
      assignedWorker: route.path.includes('ASSIGNED') ? a.outreachWorker : null,
      followUpOpensAt: opens,
      followUpDueAt: due,
      closedAt:
        status === 'CLOSED'
          ? new Date(
              Math.min(now.getTime(), receivedAt.getTime() + route.path.length * step * HOUR),
            )
          : null,
      holdReason: status === 'ON_HOLD' ? 'ASKED_FOR_LATER_CONTACT' : null,
      resumeOn: status === 'ON_HOLD' ? new Date(now.getTime() + 7 * 24 * HOUR) : null,
    });

    if (!route.path.includes('OUTREACH')) continue;
    const engaged = route.path.includes('ENGAGED');
    const tries = engaged ? 1 + Math.floor(r.next() * 2) : 1 + Math.floor(r.next() * 3);
    const presence = r.pick(PRESENCE);
    for (let t = 0; t < tries; t++) {
      const last = t === tries - 1;
      // Most first attempts fall in the 24–72 h window; a few early ones (a caution), some late.
      const hours = 20 + r.next() * 60 + t * 30;
      const at = new Date(Math.min(now.getTime() - HOUR, occurredAt.getTime() + hours * HOUR));
      const contact =
        last && (engaged || (route.close === 'DECLINED_SERVICES' ? true : r.next() < 0.2));
      attempts.push({
        ...stamp(at),
        case: caseId,
        worker: a.outreachWorker,
        method: r.pick(['VISIT', 'VISIT', 'PHONE', 'TEXT']),
        attemptedAt: at,
        outcome: contact
          ? route.close === 'DECLINED_SERVICES'
            ? 'CONTACT_SURVIVOR_DECLINED'
            : 'CONTACT_SURVIVOR_ENGAGED'
          : r.pick(['NO_ANSWER', 'NOT_AT_ADDRESS', 'NO_ANSWER', 'THIRD_PARTY_ANSWERED']),
        teamPresent: ['PEER_SUPPORT_SPECIALIST'],
        officerPresence: presence,
        naloxoneKitsForPerson: contact ? 1 + Math.floor(r.next() * 2) : 0,
        naloxoneKitsForFamily: contact && r.next() < 0.5 ? 1 : 0,
        fentanylTestStrips: contact ? Math.floor(r.next() * 5) : 0,
        overdosePreventionLiterature: contact,
        peerSupportContactCard: true,
        syringeServicesInformation: contact && r.next() < 0.6,
      });
      if (contact && engaged) {
        consents.push({
          ...stamp(at),
          person: personId,
          case: caseId,
          scope: 'CONTACT_FOR_FOLLOW_UP',
          grantedTo: a.harmReduction,
          purpose: 'Follow-up after an overdose',
          method: r.next() < 0.7 ? 'VERBAL' : 'WRITTEN',
          grantedAt: at,
          recordedById: a.outreachWorker,
        });
      }
    }
    if (route.path.includes('LINKED')) {
      outcomes.push({
        ...stamp(now),
        case: caseId,
        type: r.pick(['TREATMENT_ADMITTED', 'MOUD_STARTED', 'MOUD_STARTED', 'DETOX']),
        occurredAt: new Date(Math.min(now.getTime(), occurredAt.getTime() + 5 * 24 * HOUR)),
        recordedById: a.outreachWorker,
      });
    } else if (engaged) {
      outcomes.push({
        ...stamp(now),
        case: caseId,
        type: r.pick(['PEER_SUPPORT_ENGAGED', 'SYRINGE_SERVICES_ENGAGED']),
        occurredAt: new Date(Math.min(now.getTime(), occurredAt.getTime() + 4 * 24 * HOUR)),
        recordedById: a.outreachWorker,
      });
    }
    // One LEAD referral: police referred an engaged survivor through the social-contact door.
    if (engaged && leads.length === 0) {
      leads.push({
        ...stamp(now),
        person: personId,
        case: caseId,
        sourceIncident: incidentId,
        program: a.lead,
        referringAgency: a.police,
        referredById: a.policeOfficer,
        door: 'SOCIAL_CONTACT',
        status: 'ACTIVE',
        intakeDeadline: new Date(occurredAt.getTime() + 14 * 24 * HOUR),
      });
    }
  }
  await insertJsonRows(tx, Person, people);
  await insertJsonRows(tx, OverdoseIncident, incidents);
  await insertJsonRows(tx, ReportedIdentity, identities);
  await insertJsonRows(tx, NaloxoneAdministration, doses);
  await insertJsonRows(tx, Case, cases);
  await insertJsonRows(tx, CaseEvent, events);
  await insertJsonRows(tx, OutreachAttempt, attempts);
  await insertJsonRows(tx, Consent, consents);
  await insertJsonRows(tx, Outcome, outcomes);
  await insertJsonRows(tx, LeadReferral, leads);
  await tx.getConnection().execute(
    `insert into county_population (county, year, population, county_name, state_name)
     select * from jsonb_to_recordset(?::jsonb) as r(county char(5), year int, population int, county_name text, state_name text)
     on conflict do nothing`,
    [
      JSON.stringify(
        DEMO_POPULATIONS.map(([county, name, population]) => ({
          county,
          year: now.getUTCFullYear(),
          population,
          county_name: name,
          state_name: 'North Carolina',
        })),
      ),
    ],
    'run',
    tx.getTransactionContext(),
  );
  return incidents.length;
}
