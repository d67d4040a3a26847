import { ageBandAt } from '../../modules/person/age-band';
import { randomUUID } from 'node:crypto';
import { personKey } from '../../modules/person/person-key';
import { Sex, RaceEthnicity } from '../../modules/person/person-codes';
import {
  AdministeredBy,
  EmsDisposition,
  NaloxoneResponse,
  NaloxoneRoute,
  SuspectedSubstance,
} from '../../modules/incident/incident-codes';
import {
  CaseStatus,
  CloseReason,
  ReferralStatus,
  ReferralType,
  TriageReason,
} from '../../modules/case/case-codes';
import {
  AttemptOutcome,
  ConsentMethod,
  ConsentScope,
  ContactMethod,
  HoldReason,
  OfficerPresence,
  TeamMember,
} from '../../modules/outreach/outreach-codes';
import { OutcomeType } from '../../modules/outcome/outcome-codes';
import { MoudType } from '../../modules/resource/resource-codes';
import { LeadDoor, LeadExitReason, LeadStatus } from '../../modules/lead/lead-codes';
import type { Cell } from './bulk-insert';
import { pgList } from './bulk-insert';
import { FIRST_NAMES, LAST_NAMES, STREETS } from './names';
import type { Random } from './random';
import { copyLine } from './copy-rows';
import { TABLES, emptyBatch, type Batch, type TableName } from './tables';
import type { County, World } from './world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Times travel as epoch milliseconds (bulk-insert.ts casts them). */
const iso = (t: number): number => t;
const col = (table: keyof typeof TABLES, name: string): number =>
  TABLES[table].findIndex(([n]) => n === name);

const CASE = {
  updatedAt: col('overdose_case', 'updated_at'),
  status: col('overdose_case', 'status'),
  closeReason: col('overdose_case', 'close_reason'),
  closedAt: col('overdose_case', 'closed_at'),
  version: col('overdose_case', 'version'),
  holdReason: col('overdose_case', 'hold_reason'),
  resumeOn: col('overdose_case', 'resume_on'),
  triageReason: col('overdose_case', 'triage_reason'),
};
const REFERRAL_STATUS = col('referral', 'status');
const REFERRAL_RESPONDED_AT = col('referral', 'responded_at');
const REFERRAL_RESPONDED_BY = col('referral', 'responded_by_id');
const REFERRAL_STATUS_REASON = col('referral', 'status_reason');
const CASE_ASSIGNED_WORKER = col('overdose_case', 'assigned_worker_id');
const CASE_ROUTED_AGENCY = col('overdose_case', 'routed_agency_id');

const OPEN = new Set<CaseStatus>([
  CaseStatus.REPORTED,
  CaseStatus.TRIAGE,
  CaseStatus.REFERRED,
  CaseStatus.REFERRAL_DECLINED,
  CaseStatus.ASSIGNED,
  CaseStatus.OUTREACH,
  CaseStatus.ON_HOLD,
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
]);

interface CaseState {
  id: string;
  status: CaseStatus;
  version: number;
  lastEventAt: number;
  /** The row while it is still in the batch being built; later changes go through updates. */
  row?: Cell[];
  /** The routing referral still REQUESTED, if any (closing a case cancels it). */
  pendingReferral?: Cell[];
}

interface Identity {
  first: string;
  last: string;
  dob: string;
}

interface PersonState {
  id: string;
  county: string;
  /** Name and date of birth as first reported: a repeat report types the same ones. */
  identity: Identity;
  /** Encrypted phone, street, city, zip and the state, sex and race cells, as reported. */
  contact: Cell[];
  alive: boolean;
  cases: CaseState[];
  row?: Cell[];
}

/** Changes to rows written by an earlier batch, applied after the batch's inserts. */
export interface Updates {
  /** Cases closed DECEASED after a later fatal report: id, closed at (epoch ms). */
  deceased: Array<[string, number]>;
}

export interface GenerateOptions {
  now: number;
  runTag: string;
  followUpOpensHours: number;
  followUpDueHours: number;
  maxAttempts: number;
  leadIntakeDays: number;
  personKeySecret: string;
}

const MONTH_FACTOR = [0.9, 0.86, 0.95, 1.0, 1.05, 1.1, 1.13, 1.1, 1.02, 0.98, 0.93, 0.97];
/** Sunday first: weekends and Fridays run higher. */
const WEEKDAY_FACTOR = [1.14, 0.94, 0.92, 0.94, 0.97, 1.06, 1.16];
/** Share of overdoses by hour of day (local time): the evening peak. */
const HOUR_WEIGHTS = [
  4, 3, 2.5, 2, 1.5, 1.2, 1.3, 1.8, 2.4, 3, 3.4, 3.8, 4.2, 4.5, 4.8, 5.2, 5.6, 6, 6.4, 6.6, 6.5,
  6.1, 5.4, 4.7,
];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

/**
 * Daily expected counts over the period: season × weekday × a slow decline (recent years saw
 * fewer deaths), scaled to exactly `total` incidents.
 */
export function dailyCounts(total: number, from: number, days: number): number[] {
  const weights: number[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(from + d * DAY);
    const trend = 1.1 - (0.2 * d) / Math.max(days, 1);
    weights.push(MONTH_FACTOR[date.getUTCMonth()] * WEEKDAY_FACTOR[date.getUTCDay()] * trend);
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts: number[] = [];
  let carry = 0;
  for (const w of weights) {
    const exact = (total * w) / sum + carry;
    const n = Math.floor(exact);
    carry = exact - n;
    counts.push(n);
  }
  counts[counts.length - 1] += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/**
 * Builds the rows of synthetic incidents in time order, each with its case and everything that
 * happened to it up to `now`: the same rows the services would have written (statuses match
 * their timeline, referrals, attempts, consents and outcomes), in bulk. Identity values (the
 * person's and the reported name and birth date) are plain text in these rows: BulkLoad encrypts
 * them on the way into the database (identity-encryption.ts), off the generator's thread.
 */
export class Generator {
  private batch: Batch = emptyBatch();
  private updates: Updates = { deceased: [] };
  private readonly pools = new Map<string, PersonState[]>();
  private readonly usedKeys = new Set<string>();
  private readonly countyPicks: Array<readonly [County, number]>;
  private sequence = 0;

  constructor(
    private readonly world: World,
    private readonly random: Random,
    private readonly options: GenerateOptions,
  ) {
    this.countyPicks = world.counties.map((c) => [c, c.weight] as const);
  }

  /** Person keys already in the database: a new person must not take one (unique). */
  reserveKeys(prefixes: Iterable<string>): void {
    for (const p of prefixes) this.usedKeys.add(p);
  }

  /** Hands over the rows built so far and starts a new batch. */
  take(): { batch: Batch; updates: Updates } {
    const out = { batch: this.batch, updates: this.updates };
    this.forgetBatchRows();
    this.batch = emptyBatch();
    this.updates = { deceased: [] };
    return out;
  }

  private batchCases: CaseState[] = [];
  private batchPeople: PersonState[] = [];

  /**
   * A row that never changes once built goes into the batch as its COPY line at once: the cell
   * array dies young (cheap for the garbage collector) instead of living until the batch is
   * written. Cases, routing referrals and people stay cell arrays: later events change them.
   */
  private line(table: TableName, cells: Cell[]): void {
    this.batch[table].push(copyLine(TABLES[table], cells));
  }

  /** Rows of an earlier batch are in the database: later changes to them become updates. */
  private forgetBatchRows(): void {
    for (const c of this.batchCases) {
      c.row = undefined;
      c.pendingReferral = undefined;
    }
    for (const p of this.batchPeople) p.row = undefined;
    this.batchCases = [];
    this.batchPeople = [];
  }

  /** One day's incidents, at times spread over the day by the hourly curve. */
  day(dayStart: number, count: number): void {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      let r = this.random.next() * HOUR_TOTAL;
      let hour = 0;
      while (hour < 23 && r >= HOUR_WEIGHTS[hour]) r -= HOUR_WEIGHTS[hour++];
      times.push(dayStart + hour * HOUR + Math.floor(this.random.next() * HOUR));
    }
    times.sort((a, b) => a - b);
    for (const t of times) if (t <= this.options.now) this.incident(t);
  }

  private incident(occurredAt: number): void {
    const r = this.random;
    const county = r.weighted(this.countyPicks);
    const byEms = r.chance(0.62);
    const agency = byEms ? county.ems : county.police;
    const reporter = byEms ? county.emsReporter : county.policeReporter;
    const reportedAt = occurredAt + Math.floor(r.between(0.2, 6) * HOUR);
    const incidentId = randomUUID();

    // Who overdosed: unknown (no name given), someone seen before in the county, or a new person.
    let person: PersonState | undefined;
    if (!r.chance(0.12)) {
      const pool = this.pools.get(county.fips);
      const repeat = pool && pool.length > 20 && r.chance(0.22) ? r.pick(pool) : undefined;
      person = repeat && repeat.alive ? repeat : this.newPerson(county, reportedAt);
    }
    // A fatal report of someone with open follow-up needs those cases settled first.
    let fatal = r.chance(0.075);
    if (fatal && person && person.cases.some((c) => c.lastEventAt > occurredAt)) fatal = false;

    const substances = this.substances();
    this.line('overdose_incident', [
      incidentId,
      iso(reportedAt),
      iso(reportedAt),
      agency,
      `${byEms ? 'PCR' : 'RMS'}-${this.options.runTag}-${(++this.sequence).toString().padStart(8, '0')}`,
      iso(occurredAt),
      county.fips,
      `${r.int(1, 9999)} ${r.pick(STREETS)} ${r.pick(['St', 'Ave', 'Rd', 'Dr', 'Ln'])}`,
      county.name,
      'NC',
      `27${r.int(100, 999)}`,
      (county.lat + r.between(-0.15, 0.15)).toFixed(5),
      (county.lng + r.between(-0.15, 0.15)).toFixed(5),
      fatal,
      pgList(substances),
      byEms
        ? fatal
          ? EmsDisposition.DEAD_AT_SCENE
          : r.weighted([
              [EmsDisposition.TRANSPORTED, 55],
              [EmsDisposition.REFUSED_TRANSPORT, 30],
              [EmsDisposition.TREATED_AND_RELEASED, 9],
              [EmsDisposition.RELEASED_TO_LAW_ENFORCEMENT, 2],
              [EmsDisposition.NO_TRANSPORT, 4],
            ])
        : null,
      !byEms && !fatal && r.chance(0.25),
      person?.id ?? null,
      reporter,
      1,
      // As intake does: the band of the age reported with this overdose (unknown without one).
      (person && ageBandAt(person.identity.dob, new Date(occurredAt))) ?? null,
      // Its own event: the generator makes no co-reports (BulkLoad writes the event rows).
      incidentId,
    ]);
    this.naloxone(incidentId, occurredAt, byEms, fatal);

    if (person) {
      const id = person.identity;
      this.line('reported_identity', [
        randomUUID(),
        iso(reportedAt),
        iso(reportedAt),
        incidentId,
        id.first,
        id.last,
        id.dob,
        ...person.contact,
      ]);
    }

    this.openCase({
      incidentId,
      occurredAt,
      reportedAt,
      county,
      reporterAgency: agency,
      reporter,
      byEms,
      fatal,
      person,
    });
  }

  private newPerson(county: County, at: number): PersonState {
    const r = this.random;
    let first = '';
    let last = '';
    let dob = '';
    let key: string | null = null;
    for (;;) {
      first = r.pick(FIRST_NAMES);
      last = r.pick(LAST_NAMES);
      const age = r.weighted([
        [r.int(16, 24), 12],
        [r.int(25, 34), 30],
        [r.int(35, 44), 28],
        [r.int(45, 54), 17],
        [r.int(55, 74), 13],
      ]);
      const born = at - age * 365.25 * DAY - r.int(0, 364) * DAY;
      dob = new Date(born).toISOString().slice(0, 10);
      key = personKey(this.options.personKeySecret, first, last, dob);
      // Two different synthetic people must not share a key (the vault would merge them).
      if (key && !this.usedKeys.has(key.slice(0, 16))) break;
    }
    this.usedKeys.add(key.slice(0, 16));
    const id = randomUUID();
    const sex = r.weighted([
      [Sex.MALE, 66],
      [Sex.FEMALE, 32],
      [Sex.UNKNOWN, 1.5],
      [Sex.OTHER, 0.5],
    ]);
    const race = r.weighted([
      [RaceEthnicity.WHITE, 68],
      [RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN, 22],
      [RaceEthnicity.AMERICAN_INDIAN_OR_ALASKA_NATIVE, county.fips === '37155' ? 30 : 2],
      [RaceEthnicity.HISPANIC_OR_LATINO, 5],
      [RaceEthnicity.ASIAN, 1],
      [RaceEthnicity.UNKNOWN, 2],
    ]);
    const hasPhone = r.chance(0.7);
    // Phone and address as the reporters enter them (on each report's ReportedIdentity): the
    // person row only links reports (identity follows its sources).
    const contact: Cell[] = [
      hasPhone ? `919${r.int(2000000, 9999999)}` : null,
      r.chance(0.75) ? `${r.int(1, 9999)} ${r.pick(STREETS)} St` : null,
      county.name,
      'NC',
      `27${r.int(100, 999)}`,
      sex,
      pgList([race]),
    ];
    const row: Cell[] = [id, iso(at), iso(at), key, sex, pgList([race]), false, null];
    this.batch.person.push(row);
    const person: PersonState = {
      id,
      county: county.fips,
      identity: { first, last, dob },
      contact,
      alive: true,
      cases: [],
      row,
    };
    this.batchPeople.push(person);
    let pool = this.pools.get(county.fips);
    if (!pool) this.pools.set(county.fips, (pool = []));
    // The pool of people who may overdose again: recent ones; a ring keeps memory bounded.
    if (pool.length < 4000) pool.push(person);
    else pool[Math.floor(r.next() * pool.length)] = person;
    return person;
  }

  private substances(): string[] {
    const r = this.random;
    const list: SuspectedSubstance[] = [];
    if (r.chance(0.78)) list.push(SuspectedSubstance.FENTANYL);
    if (r.chance(0.12)) list.push(SuspectedSubstance.HEROIN);
    if (r.chance(0.08)) list.push(SuspectedSubstance.PRESCRIPTION_OPIOID);
    if (r.chance(0.14)) list.push(SuspectedSubstance.XYLAZINE);
    if (r.chance(0.16)) list.push(SuspectedSubstance.COCAINE);
    if (r.chance(0.1)) list.push(SuspectedSubstance.METHAMPHETAMINE);
    if (r.chance(0.05)) list.push(SuspectedSubstance.BENZODIAZEPINE);
    if (r.chance(0.06)) list.push(SuspectedSubstance.ALCOHOL);
    if (list.length === 0) list.push(SuspectedSubstance.UNKNOWN);
    return list;
  }

  private naloxone(incidentId: string, occurredAt: number, byEms: boolean, fatal: boolean): void {
    const r = this.random;
    const doses = r.weighted([
      [0, 8],
      [1, 48],
      [2, 30],
      [3, 10],
      [4, 4],
    ]);
    let t = occurredAt + r.int(2, 20) * 60_000;
    for (let i = 0; i < doses; i++) {
      const by: AdministeredBy =
        i === 0 && r.chance(0.3)
          ? r.weighted([
              [AdministeredBy.BYSTANDER, 5],
              [AdministeredBy.FAMILY, 3],
              [AdministeredBy.POLICE, byEms ? 2 : 8],
              [AdministeredBy.FIRE, 3],
            ])
          : byEms
            ? AdministeredBy.EMS
            : r.weighted([
                [AdministeredBy.POLICE, 7],
                [AdministeredBy.EMS, 3],
              ]);
      const route =
        by === AdministeredBy.EMS
          ? r.weighted([
              [NaloxoneRoute.IN, 45],
              [NaloxoneRoute.IV, 35],
              [NaloxoneRoute.IM, 20],
            ])
          : r.weighted([
              [NaloxoneRoute.IN, 90],
              [NaloxoneRoute.IM, 10],
            ]);
      const dose =
        route === NaloxoneRoute.IN
          ? r.chance(0.15)
            ? '8.00'
            : '4.00'
          : r.pick(['0.40', '0.80', '1.00', '2.00']);
      const response = fatal
        ? NaloxoneResponse.UNCHANGED
        : i === doses - 1
          ? r.weighted([
              [NaloxoneResponse.IMPROVED, 92],
              [NaloxoneResponse.UNCHANGED, 7],
              [NaloxoneResponse.WORSE, 1],
            ])
          : r.weighted([
              [NaloxoneResponse.UNCHANGED, 70],
              [NaloxoneResponse.IMPROVED, 30],
            ]);
      this.line('naloxone_administration', [
        randomUUID(),
        iso(t),
        iso(t),
        incidentId,
        r.chance(0.96) ? iso(t) : null,
        dose,
        route,
        by,
        r.chance(0.9) ? response : null,
      ]);
      t += r.int(2, 6) * 60_000;
    }
  }

  private openCase(args: {
    incidentId: string;
    occurredAt: number;
    reportedAt: number;
    county: County;
    reporterAgency: string;
    reporter: string;
    byEms: boolean;
    fatal: boolean;
    person?: PersonState;
  }): void {
    const { incidentId, occurredAt, reportedAt, county, person, fatal } = args;
    const r = this.random;
    const o = this.options;
    const caseId = randomUUID();
    const row: Cell[] = [
      caseId,
      iso(reportedAt),
      iso(reportedAt),
      person?.id ?? null,
      incidentId,
      county.fips,
      CaseStatus.REPORTED,
      null,
      null,
      null,
      null,
      iso(occurredAt + o.followUpOpensHours * HOUR),
      iso(occurredAt + o.followUpDueHours * HOUR),
      null,
      1,
      null,
      null,
    ];
    this.batch.overdose_case.push(row);
    const kase: CaseState = {
      id: caseId,
      status: CaseStatus.REPORTED,
      version: 1,
      lastEventAt: reportedAt,
      row,
    };
    this.batchCases.push(kase);
    let t = reportedAt;
    let first = true;
    const event = (when: number, to: CaseStatus, reason: string | null, actor: string | null) => {
      // A millisecond apart at least, so the timeline's order by time is the order of events.
      const at = first ? when : Math.max(when, kase.lastEventAt + 1);
      this.line('case_event', [
        randomUUID(),
        iso(at),
        iso(at),
        caseId,
        first ? null : kase.status,
        to,
        reason,
        actor,
      ]);
      first = false;
      kase.status = to;
      kase.lastEventAt = at;
      row[CASE.status] = to;
      row[CASE.updatedAt] = iso(at);
      if (to === CaseStatus.CLOSED) row[CASE.closedAt] = iso(at);
    };
    event(t, CaseStatus.REPORTED, 'REPORT_RECEIVED', null);
    event(t, CaseStatus.TRIAGE, 'AUTOMATIC', null);

    if (person) {
      // A repeat overdose: linked to every earlier case, recorded as an outcome on each.
      for (const earlier of person.cases) {
        this.line('case_link', [caseId, earlier.id]);
        this.line('outcome', [
          randomUUID(),
          iso(reportedAt),
          iso(reportedAt),
          earlier.id,
          fatal ? OutcomeType.FATAL_OVERDOSE : OutcomeType.REPEAT_OVERDOSE,
          iso(occurredAt),
          incidentId,
          null,
          true,
          null,
        ]);
        if (fatal && OPEN.has(earlier.status)) this.closeDeceased(earlier, reportedAt);
      }
      person.cases.push(kase);
    }
    const finish = () => {
      row[CASE.version] = kase.version;
      if (person && fatal) person.alive = false;
    };

    if (fatal) {
      row[CASE.closeReason] = CloseReason.DECEASED;
      event(t, CaseStatus.CLOSED, 'FATAL', null);
      return finish();
    }

    // An officer may refer the person to LEAD from the report (arrest diversion, social contact).
    if (!args.byEms && person && county.lead && r.chance(0.06)) {
      const door = r.chance(0.4) ? LeadDoor.ARREST_DIVERSION : LeadDoor.SOCIAL_CONTACT;
      this.lead(
        county.lead,
        args.reporterAgency,
        args.reporter,
        person,
        kase,
        incidentId,
        door,
        reportedAt + r.between(0.1, 4) * HOUR,
      );
    }

    // Routing: a team serving the county, one with an agreement with the reporter first; ties
    // fall either way (the hub breaks them by caseload).
    const candidates = this.candidates(
      args.reporterAgency,
      county,
      county.harmReduction.length > 1 && r.chance(0.5),
    );
    if (candidates.length === 0) {
      row[CASE.triageReason] = TriageReason.NO_COVERING_AGENCY;
      return finish();
    }
    let agency = candidates[0];
    let referral = this.route(kase, row, agency, t, event);
    // Now and then the first team cannot take it: declined, re-triaged, routed to the next.
    if (r.chance(0.05)) {
      const at = t + r.between(1, 20) * HOUR;
      if (at > o.now) return finish();
      const worker = r.pick(this.world.workers.get(agency)!);
      referral[REFERRAL_STATUS] = ReferralStatus.REJECTED;
      referral[REFERRAL_RESPONDED_AT] = iso(at);
      referral[REFERRAL_RESPONDED_BY] = worker;
      referral[REFERRAL_STATUS_REASON] = 'At capacity this week';
      kase.pendingReferral = undefined;
      event(at, CaseStatus.REFERRAL_DECLINED, 'AT_CAPACITY', worker);
      event(at, CaseStatus.TRIAGE, 'AUTOMATIC', null);
      t = at;
      if (candidates.length < 2) {
        row[CASE.triageReason] = TriageReason.ALL_COVERING_AGENCIES_DECLINED;
        kase.version += 1;
        return finish();
      }
      agency = candidates[1];
      referral = this.route(kase, row, agency, t, event);
    }
    kase.version += 1;

    // Accepted and assigned within hours to a day or so.
    const acceptAt = t + r.between(0.5, 30) * HOUR;
    if (acceptAt > o.now) return finish();
    const worker = r.pick(this.world.workers.get(agency)!);
    referral[REFERRAL_STATUS] = ReferralStatus.ACCEPTED;
    referral[REFERRAL_RESPONDED_AT] = iso(acceptAt);
    referral[REFERRAL_RESPONDED_BY] = worker;
    kase.pendingReferral = undefined;
    row[CASE_ASSIGNED_WORKER] = worker;
    event(acceptAt, CaseStatus.ASSIGNED, 'ACCEPTED', worker);
    kase.version += 1;

    // Named, not spread: a spread of args here cost about a microsecond per case (profiled).
    this.outreach({
      kase,
      row,
      agency,
      worker,
      occurredAt,
      acceptAt,
      county,
      person,
      reporterAgency: args.reporterAgency,
      reporter: args.reporter,
      byEms: args.byEms,
      incidentId,
      event,
    });
    finish();
  }

  private readonly candidateCache = new Map<string, readonly string[]>();

  /** The teams to route to, agreement first; `reversed` breaks ties the other way. */
  private candidates(reporter: string, county: County, reversed: boolean): readonly string[] {
    const key = `${reporter}|${county.fips}|${reversed}`;
    let list = this.candidateCache.get(key);
    if (!list) {
      const shuffled = reversed ? [...county.harmReduction].reverse() : county.harmReduction;
      list = [
        ...shuffled.filter((h) => this.hasAgreement(reporter, h, county.fips)),
        ...shuffled.filter((h) => !this.hasAgreement(reporter, h, county.fips)),
      ];
      this.candidateCache.set(key, list);
    }
    return list;
  }

  private hasAgreement(source: string, recipient: string, county: string): boolean {
    return this.world.agreements.has(`${source}|${recipient}|${county}`);
  }

  private route(
    kase: CaseState,
    row: Cell[],
    agency: string,
    at: number,
    event: (at: number, to: CaseStatus, reason: string | null, actor: string | null) => void,
  ): Cell[] {
    const referral: Cell[] = [
      randomUUID(),
      iso(at),
      iso(at),
      kase.id,
      agency,
      ReferralType.FOLLOW_UP_OUTREACH,
      ReferralStatus.REQUESTED,
      null,
      null,
      null,
    ];
    this.batch.referral.push(referral);
    kase.pendingReferral = referral;
    row[CASE_ROUTED_AGENCY] = agency;
    row[CASE.triageReason] = null;
    event(at, CaseStatus.REFERRED, 'ROUTED', null);
    return referral;
  }

  /** Attempts until the person is reached, declines, moves away, or attempts run out. */
  private outreach(a: {
    kase: CaseState;
    row: Cell[];
    agency: string;
    worker: string;
    occurredAt: number;
    acceptAt: number;
    county: County;
    person?: PersonState;
    reporterAgency: string;
    reporter: string;
    byEms: boolean;
    incidentId: string;
    event: (at: number, to: CaseStatus, reason: string | null, actor: string | null) => void;
  }): void {
    const r = this.random;
    const o = this.options;
    const { kase, row, worker, event, person } = a;
    const close = (at: number, reason: CloseReason, actor: string | null) => {
      row[CASE.closeReason] = reason;
      row[CASE.holdReason] = null;
      row[CASE.resumeOn] = null;
      event(at, CaseStatus.CLOSED, reason, actor);
      kase.version += 1;
    };
    // Most first visits fall in the 24–72 h window; some teams run late.
    const firstDelay = r.weighted<[number, number]>([
      [[24, 72], 70],
      [[12, 24], 6],
      [[72, 120], 16],
      [[120, 336], 8],
    ]);
    let t = Math.max(
      a.occurredAt + r.between(firstDelay[0], firstDelay[1]) * HOUR,
      a.acceptAt + HOUR,
    );
    if (r.chance(0.06)) {
      // Never attempted: overdue while recent, closed unable-to-contact a month on.
      const closeAt = a.occurredAt + 30 * DAY;
      if (closeAt <= o.now) close(closeAt, CloseReason.UNABLE_TO_CONTACT, worker);
      return;
    }
    let attempts = 0;
    let held = false;
    const identified = person !== undefined;
    for (;;) {
      if (t > o.now) return;
      attempts += 1;
      const method = identified
        ? r.weighted([
            [ContactMethod.VISIT, 55],
            [ContactMethod.PHONE, 35],
            [ContactMethod.TEXT, 10],
          ])
        : ContactMethod.VISIT;
      const officer =
        method === ContactMethod.VISIT
          ? r.weighted([
              [OfficerPresence.NONE, 70],
              [OfficerPresence.WARM_HANDOFF_ONLY, 12],
              [OfficerPresence.PLAIN_CLOTHES, 10],
              [OfficerPresence.UNIFORMED, 8],
            ])
          : OfficerPresence.NONE;
      // Engagement is higher without uniformed police and lower for unnamed survivors.
      const engage =
        (identified ? 0.3 : 0.15) *
        (officer === OfficerPresence.UNIFORMED
          ? 0.55
          : officer === OfficerPresence.PLAIN_CLOTHES
            ? 0.9
            : 1);
      const outcome = r.weighted<AttemptOutcome>([
        [AttemptOutcome.CONTACT_SURVIVOR_ENGAGED, engage],
        [AttemptOutcome.CONTACT_SURVIVOR_DECLINED, 0.08],
        [AttemptOutcome.CONTACT_SOCIAL_NETWORK_CONSENTED, 0.05],
        [AttemptOutcome.NO_ANSWER, 0.26],
        [
          method === ContactMethod.VISIT
            ? AttemptOutcome.NOT_AT_ADDRESS
            : AttemptOutcome.WRONG_OR_DISCONNECTED_NUMBER,
          0.16,
        ],
        [AttemptOutcome.THIRD_PARTY_ANSWERED, 0.05],
        [AttemptOutcome.HOSPITALIZED, held ? 0 : 0.02],
        [AttemptOutcome.INCARCERATED, held ? 0 : 0.02],
        [AttemptOutcome.MOVED, 0.02],
        [AttemptOutcome.UNSAFE_OR_ABORTED, 0.01],
        [AttemptOutcome.DECEASED, 0.004],
      ]);
      const contact =
        outcome === AttemptOutcome.CONTACT_SURVIVOR_ENGAGED ||
        outcome === AttemptOutcome.CONTACT_SURVIVOR_DECLINED ||
        outcome === AttemptOutcome.CONTACT_SOCIAL_NETWORK_CONSENTED;
      // Guardrail: nothing is left behind unless someone was actually reached in person.
      const leave = contact && method === ContactMethod.VISIT;
      this.line('outreach_attempt', [
        randomUUID(),
        iso(t),
        iso(t),
        kase.id,
        worker,
        method,
        iso(t),
        outcome,
        pgList(
          r.chance(0.6)
            ? [TeamMember.PEER_SUPPORT_SPECIALIST, TeamMember.HARM_REDUCTION_WORKER]
            : [TeamMember.PEER_SUPPORT_SPECIALIST],
        ),
        officer,
        leave ? r.int(1, 2) : 0,
        leave ? r.int(0, 2) : 0,
        leave ? r.int(0, 10) : 0,
        leave,
        leave && r.chance(0.8),
        leave && r.chance(0.6),
      ]);
      if (kase.status === CaseStatus.ASSIGNED) {
        event(t, CaseStatus.OUTREACH, 'FIRST_ATTEMPT', worker);
        kase.version += 1;
      }

      if (outcome === AttemptOutcome.CONTACT_SURVIVOR_ENGAGED && person) {
        this.engaged(a, t);
        return;
      }
      if (outcome === AttemptOutcome.CONTACT_SURVIVOR_DECLINED) {
        const at = t + 10 * 60_000;
        if (at > o.now) return;
        this.line('outcome', [
          randomUUID(),
          iso(at),
          iso(at),
          kase.id,
          OutcomeType.DECLINED,
          iso(t),
          null,
          worker,
          false,
          null,
        ]);
        // "Not today" is not "never": declining sets no contact block.
        close(at, CloseReason.DECLINED_SERVICES, worker);
        return;
      }
      if (outcome === AttemptOutcome.DECEASED) {
        const at = t + 30 * 60_000;
        if (at > o.now) return;
        close(at, CloseReason.DECEASED, worker);
        if (person) {
          person.alive = false;
          for (const other of person.cases)
            if (other !== kase && OPEN.has(other.status)) this.closeDeceased(other, at);
        }
        return;
      }
      if (outcome === AttemptOutcome.MOVED) {
        const at = t + HOUR;
        if (at <= o.now) close(at, CloseReason.UNABLE_TO_CONTACT, worker);
        return;
      }
      if (outcome === AttemptOutcome.HOSPITALIZED || outcome === AttemptOutcome.INCARCERATED) {
        held = true;
        const resume = t + r.between(7, 30) * DAY;
        event(t, CaseStatus.ON_HOLD, outcome, worker);
        kase.version += 1;
        row[CASE.holdReason] =
          outcome === AttemptOutcome.HOSPITALIZED
            ? HoldReason.HOSPITALIZED
            : HoldReason.INCARCERATED;
        row[CASE.resumeOn] = iso(resume);
        if (resume > o.now) return;
        event(resume, CaseStatus.OUTREACH, 'RESUMED', worker);
        kase.version += 1;
        row[CASE.holdReason] = null;
        row[CASE.resumeOn] = null;
        t = resume + r.between(2, 48) * HOUR;
        continue;
      }
      if (attempts >= o.maxAttempts) {
        const at = t + r.between(2, 7) * DAY;
        if (at > o.now) return;
        this.line('outcome', [
          randomUUID(),
          iso(at),
          iso(at),
          kase.id,
          OutcomeType.LOST_TO_FOLLOW_UP,
          iso(at),
          null,
          worker,
          false,
          null,
        ]);
        close(at, CloseReason.UNABLE_TO_CONTACT, worker);
        return;
      }
      t += r.between(12, 96) * HOUR;
    }
  }

  /** Reached and consenting: ENGAGED, then usually an onward referral, linkage and an outcome. */
  private engaged(a: Parameters<Generator['outreach']>[0], reachedAt: number): void {
    const r = this.random;
    const o = this.options;
    const { kase, row, worker, event, person, agency } = a;
    if (!person) return;
    const close = (at: number, reason: CloseReason) => {
      row[CASE.closeReason] = reason;
      event(at, CaseStatus.CLOSED, reason, worker);
      kase.version += 1;
    };
    const consentAt = reachedAt + 5 * 60_000;
    if (consentAt > o.now) return;
    this.line('consent', [
      randomUUID(),
      iso(consentAt),
      iso(consentAt),
      person.id,
      kase.id,
      ConsentScope.CONTACT_FOR_FOLLOW_UP,
      agency,
      false,
      'Follow-up contact after the overdose',
      r.chance(0.7) ? ConsentMethod.VERBAL : ConsentMethod.WRITTEN,
      iso(consentAt),
      iso(consentAt + 365 * DAY),
      worker,
    ]);
    event(consentAt + 60_000, CaseStatus.ENGAGED, 'CONTACT_AND_CONSENT', worker);
    kase.version += 1;
    let t = consentAt + 60_000;

    // LEAD from the outreach side now and then, where a program runs.
    if (a.county.lead && r.chance(0.05))
      this.lead(a.county.lead, agency, worker, person, kase, null, LeadDoor.COMMUNITY, t);

    const path = r.weighted([
      ['link', 55],
      ['harm-reduction', 27],
      ['stay', 18],
    ] as const);
    if (path === 'harm-reduction') {
      const at = t + r.between(3, 20) * DAY;
      if (at > o.now) return;
      if (r.chance(0.5))
        this.line('outcome', [
          randomUUID(),
          iso(at),
          iso(at),
          kase.id,
          OutcomeType.SYRINGE_SERVICES_ENGAGED,
          iso(at - DAY),
          null,
          worker,
          false,
          null,
        ]);
      close(at, CloseReason.HARM_REDUCTION_ONLY);
      return;
    }
    if (path === 'stay') {
      const at = t + 120 * DAY;
      if (at <= o.now) close(at, CloseReason.HARM_REDUCTION_ONLY);
      return;
    }
    const type = r.weighted([
      [ReferralType.TREATMENT_MOUD, 50],
      [ReferralType.PEER_SUPPORT, 20],
      [ReferralType.SYRINGE_SERVICES, 15],
      [ReferralType.DETOX, 10],
      [ReferralType.HOUSING, 5],
    ]);
    const referAt = t + r.between(0.1, 5) * DAY;
    if (referAt > o.now) return;
    const referral: Cell[] = [
      randomUUID(),
      iso(referAt),
      iso(referAt),
      kase.id,
      r.pick(this.world.treatment),
      type,
      ReferralStatus.REQUESTED,
      null,
      null,
      null,
    ];
    this.batch.referral.push(referral);
    const linkAt = referAt + r.between(0.1, 3) * DAY;
    if (linkAt > o.now) return;
    event(linkAt, CaseStatus.LINKED, 'REFERRED_ONWARD', worker);
    kase.version += 1;
    const startedAt = linkAt + r.between(1, 14) * DAY;
    if (startedAt > o.now) return;
    const worked = r.chance(0.72);
    referral[REFERRAL_STATUS] = worked ? ReferralStatus.COMPLETED : ReferralStatus.FAILED;
    referral[REFERRAL_RESPONDED_AT] = iso(startedAt);
    if (worked) {
      const outcome = {
        [ReferralType.TREATMENT_MOUD]: OutcomeType.MOUD_STARTED,
        [ReferralType.PEER_SUPPORT]: OutcomeType.PEER_SUPPORT_ENGAGED,
        [ReferralType.SYRINGE_SERVICES]: OutcomeType.SYRINGE_SERVICES_ENGAGED,
        [ReferralType.DETOX]: OutcomeType.DETOX,
        [ReferralType.HOUSING]: OutcomeType.TREATMENT_ADMITTED,
      }[type as ReferralType.TREATMENT_MOUD];
      this.line('outcome', [
        randomUUID(),
        iso(startedAt),
        iso(startedAt),
        kase.id,
        outcome,
        iso(startedAt),
        null,
        worker,
        false,
        outcome === OutcomeType.MOUD_STARTED
          ? r.weighted([
              [MoudType.BUPRENORPHINE, 60],
              [MoudType.METHADONE, 32],
              [MoudType.NALTREXONE, 8],
            ])
          : null,
      ]);
    }
    t = startedAt;
    if (r.chance(0.6)) {
      const followAt = t + r.between(3, 20) * DAY;
      if (followAt > o.now) return;
      event(followAt, CaseStatus.FOLLOW_UP, 'FOLLOW_UP_AGREED', worker);
      kase.version += 1;
      t = followAt;
    }
    const closeAt = t + r.between(20, 90) * DAY;
    if (closeAt <= o.now)
      close(closeAt, worked ? CloseReason.LINKED_TO_CARE : CloseReason.COULD_NOT_GET_HELP);
  }

  /** A LEAD referral and its track: intake, active or not, exit; a release for active ones. */
  private lead(
    program: string,
    referringAgency: string,
    referredBy: string,
    person: PersonState,
    kase: CaseState,
    sourceIncident: string | null,
    door: LeadDoor,
    at: number,
  ): void {
    const r = this.random;
    const o = this.options;
    if (at > o.now) return;
    const manager = r.pick(this.world.caseManagers.get(program)!);
    const deadline = at + o.leadIntakeDays * DAY;
    let status = LeadStatus.REFERRED;
    let exitReason: LeadExitReason | null = null;
    let exitedAt: number | null = null;
    let caseManager: string | null = null;
    let updated = at;
    let version = 1;
    const intakeAt = at + r.between(1, 10) * DAY;
    if (intakeAt <= o.now) {
      if (r.chance(0.25)) {
        if (deadline <= o.now) {
          status = LeadStatus.EXITED;
          exitReason = LeadExitReason.INTAKE_NOT_COMPLETED;
          exitedAt = updated = deadline;
          version = 2;
        }
      } else {
        status = LeadStatus.INTAKE_PENDING;
        caseManager = manager;
        updated = intakeAt;
        version = 2;
        const activeAt = intakeAt + r.between(1, 4) * DAY;
        if (activeAt <= o.now) {
          status = LeadStatus.ACTIVE;
          updated = activeAt;
          version = 3;
          this.line('consent', [
            randomUUID(),
            iso(activeAt),
            iso(activeAt),
            person.id,
            kase.id,
            ConsentScope.SHARE_WITH_LEAD,
            program,
            r.chance(0.5),
            'LEAD case coordination',
            ConsentMethod.WRITTEN,
            iso(activeAt),
            iso(activeAt + 365 * DAY),
            manager,
          ]);
          const laterAt = activeAt + r.between(30, 240) * DAY;
          if (laterAt <= o.now) {
            const next = r.weighted([
              ['inactive', 25],
              ['exit', 45],
              ['stay', 30],
            ] as const);
            if (next === 'inactive') status = LeadStatus.INACTIVE;
            if (next === 'exit') {
              status = LeadStatus.EXITED;
              exitReason = r.weighted([
                [LeadExitReason.COMPLETED_GOALS, 50],
                [LeadExitReason.DECLINED, 20],
                [LeadExitReason.MOVED, 15],
                [LeadExitReason.OTHER, 15],
              ]);
              exitedAt = laterAt;
            }
            if (next !== 'stay') {
              updated = laterAt;
              version = 4;
            }
          }
        }
      }
    }
    this.line('lead_referral', [
      randomUUID(),
      iso(at),
      iso(updated),
      person.id,
      door === LeadDoor.COMMUNITY ? kase.id : null,
      sourceIncident,
      program,
      referringAgency,
      referredBy,
      door,
      status,
      exitReason,
      iso(deadline),
      caseManager,
      exitedAt === null ? null : iso(exitedAt),
      version,
    ]);
  }

  private closeDeceased(earlier: CaseState, at: number): void {
    const when = Math.max(at, earlier.lastEventAt + 1);
    this.line('case_event', [
      randomUUID(),
      iso(when),
      iso(when),
      earlier.id,
      earlier.status,
      CaseStatus.CLOSED,
      'FATAL_OVERDOSE_REPORTED',
      null,
    ]);
    earlier.status = CaseStatus.CLOSED;
    earlier.lastEventAt = when;
    earlier.version += 1;
    if (earlier.pendingReferral) {
      earlier.pendingReferral[REFERRAL_STATUS] = ReferralStatus.CANCELLED;
      earlier.pendingReferral[REFERRAL_RESPONDED_AT] = iso(when);
      earlier.pendingReferral = undefined;
    }
    if (earlier.row) {
      earlier.row[CASE.status] = CaseStatus.CLOSED;
      earlier.row[CASE.closeReason] = CloseReason.DECEASED;
      earlier.row[CASE.closedAt] = iso(when);
      earlier.row[CASE.updatedAt] = iso(when);
      earlier.row[CASE.holdReason] = null;
      earlier.row[CASE.resumeOn] = null;
      // The hub's close (workflow/close.ts) clears a triage reason too.
      earlier.row[CASE.triageReason] = null;
      earlier.row[CASE.version] = earlier.version;
    } else {
      this.updates.deceased.push([earlier.id, iso(when)]);
    }
  }
}
