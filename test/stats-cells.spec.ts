import { Role } from '../src/common/role';
import { and, type Sql } from '../src/common/sql';
import type { Viewer } from '../src/auth/viewer';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import {
  aggregateSql,
  FACT_FROM_SCRATCH,
  filterSql,
  FOLLOW_UP_SPEC,
  OUTCOME_SPEC,
  OVERDOSE_SPEC,
  withSource,
  type AggregateSpec,
} from '../src/modules/stats/aggregate-sql';
import { protect } from '../src/modules/stats/aggregate.service';
import { resolveRange, type Calendar } from '../src/modules/stats/calendar';
import {
  boundsOf,
  cellAggregateSql,
  cellRegionSql,
  cellsAnswer,
  keepZone,
  keptZone,
} from '../src/modules/stats/stats-cells';
import { refreshStatsRollup } from '../src/modules/stats/stats-rollup';
import { scopeSql } from '../src/modules/stats/stats-access';
import { StatsDimension as D } from '../src/modules/stats/stats-dimension';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { seedCases } from './support/stats-factory';

/** A fixed pseudo-random sequence: the same "random" data on every run. */
function prng(seed: number) {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NEW_YORK: Calendar = { timeZone: 'America/New_York', fiscalYearStartMonth: 7 };
/** A zone the cells do not keep until an agency sets it (keepZone, as setStatsCalendar does). */
const CHICAGO: Calendar = { timeZone: 'America/Chicago', fiscalYearStartMonth: 1 };

const MERGE = `mutation($eventId: ID!, $version: Int!, $intoEventId: ID!, $intoVersion: Int!) {
  mergeOverdoseEvents(eventId: $eventId, version: $version, intoEventId: $intoEventId, intoVersion: $intoVersion) { id } }`;
const UNDO = `mutation($eventId: ID!, $version: Int!) {
  undoOverdoseEventMerge(eventId: $eventId, version: $version) { id } }`;
const CASE_EVENT = `query($id: ID!) { case(id: $id) { event { id version } } }`;

type Row = Record<string, string | number | null>;

/** The questions compared: every family, time grouping, split and filter the cells serve. */
const QUESTIONS: Array<[string, AggregateSpec, D[], { fromDate?: string; toDate?: string }]> = [
  ['overdoses month × county', OVERDOSE_SPEC, [D.MONTH, D.COUNTY], {}],
  ['overdoses week × county', OVERDOSE_SPEC, [D.WEEK, D.COUNTY], {}],
  // Weeks from the week cells (Monday to Monday) and from the day cells (a mid-week bound).
  [
    'overdoses week × county, whole weeks',
    OVERDOSE_SPEC,
    [D.WEEK, D.COUNTY],
    { fromDate: '2025-11-03', toDate: '2026-04-27' },
  ],
  [
    'overdoses week × county, mid-week range',
    OVERDOSE_SPEC,
    [D.WEEK, D.COUNTY],
    { fromDate: '2025-11-05', toDate: '2026-04-27' },
  ],
  [
    'outcomes by officer presence, whole weeks',
    OUTCOME_SPEC,
    [D.OFFICER_PRESENCE],
    { fromDate: '2025-12-29', toDate: '2026-03-02' },
  ],
  [
    'overdoses by day in a range',
    OVERDOSE_SPEC,
    [D.DAY],
    { fromDate: '2026-03-01', toDate: '2026-05-01' },
  ],
  // Months from the day cells (a range inside months) and from the month cells (whole months).
  [
    'overdoses month × county, mid-month range',
    OVERDOSE_SPEC,
    [D.MONTH, D.COUNTY],
    { fromDate: '2025-11-15', toDate: '2026-04-10' },
  ],
  [
    'overdoses month × county, whole months',
    OVERDOSE_SPEC,
    [D.MONTH, D.COUNTY],
    { fromDate: '2025-11-01', toDate: '2026-04-01' },
  ],
  ['overdoses quarter × substance', OVERDOSE_SPEC, [D.QUARTER, D.SUBSTANCE_CATEGORY], {}],
  ['overdoses county × naloxone given by', OVERDOSE_SPEC, [D.COUNTY, D.NALOXONE_GIVEN_BY], {}],
  ['overdoses fiscal year × outcome', OVERDOSE_SPEC, [D.FISCAL_YEAR, D.OUTCOME], {}],
  ['overdoses by agency', OVERDOSE_SPEC, [D.AGENCY, D.MONTH], {}],
  ['overdoses total', OVERDOSE_SPEC, [], {}],
  ['follow-up month × officer presence', FOLLOW_UP_SPEC, [D.MONTH, D.OFFICER_PRESENCE], {}],
  ['follow-up county × sex', FOLLOW_UP_SPEC, [D.COUNTY, D.SEX], {}],
  ['follow-up by routed agency', FOLLOW_UP_SPEC, [D.AGENCY], {}],
  ['outcomes by officer presence', OUTCOME_SPEC, [D.OFFICER_PRESENCE], {}],
  ['outcomes month × outcome', OUTCOME_SPEC, [D.MONTH, D.OUTCOME], {}],
  ['outcomes race × county', OUTCOME_SPEC, [D.RACE_ETHNICITY, D.COUNTY], {}],
  ['outcomes by case source', OUTCOME_SPEC, [D.CASE_SOURCE], { fromDate: '2026-01-01' }],
];

describe('statistics cells: the aggregates from pre-aggregated cells equal the raw tables', () => {
  let hub: TestHub;
  const counties = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
  let analyst: Actor;
  let admin: Actor;
  let officer: Actor;
  let paramedic: Actor;
  let programId: string;
  let emsId: string;
  let workerId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: counties });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: counties });
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: counties,
    });
    programId = program.id;
    emsId = ems.id;
    analyst = await makeUser(hub, Role.ANALYST, { agency: program });
    admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: program });
    officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    workerId = (await makeUser(hub, Role.OUTREACH_WORKER, { agency: program })).user.id;
  });
  afterAll(() => hub.stop());

  const connection = () => hub.em().getConnection();
  const execute = (s: Sql) => connection().execute<Row[]>(s.text, s.bindings);
  const access = () => ({
    viewer: { role: Role.ANALYST, agencyId: programId } as unknown as Viewer,
    scope: 'jurisdiction' as const,
  });

  /** The question over the cells, and from scratch over the raw tables (the view), as rows. */
  async function bothWays(
    spec: AggregateSpec,
    groupBy: D[],
    filter: { fromDate?: string; toDate?: string; agencyIds?: string[] },
    calendar: Calendar,
  ): Promise<[string[], string[]]> {
    const range = resolveRange(filter, calendar, 'day', 36_600);
    const region = {
      from: range.from?.binding ?? null,
      to: range.to?.binding ?? null,
      counties: null,
      agencyIds: filter.agencyIds ?? null,
    };
    const question = { spec, groupBy, access: access(), calendar, hours: false };
    expect(cellsAnswer(question, region)).toBe(true);
    const cells = await execute(
      cellAggregateSql(question, cellRegionSql(region), !!region.agencyIds, boundsOf(region)),
    );
    const scratchSpec = withSource(spec, FACT_FROM_SCRATCH);
    const scratch = await execute(
      aggregateSql(
        scratchSpec,
        groupBy,
        and([filterSql(scratchSpec, filter, range), scopeSql(access(), spec.columns)]),
        calendar,
      ),
    );
    const hours = new Set(Object.keys(spec.hours ?? {}));
    const shape = (rows: Row[]) =>
      rows
        .map((r) =>
          JSON.stringify(
            Object.entries(r)
              .filter(([k]) => !hours.has(k))
              .sort(),
          ),
        )
        .sort();
    return [shape(cells), shape(scratch)];
  }

  async function sameAnswers(step: string): Promise<void> {
    for (const calendar of [NEW_YORK, CHICAGO]) {
      for (const [name, spec, groupBy, filter] of QUESTIONS) {
        const [cells, scratch] = await bothWays(spec, groupBy, filter, calendar);
        expect([step, calendar.timeZone, name, cells]).toEqual([
          step,
          calendar.timeZone,
          name,
          scratch,
        ]);
      }
      const [cells, scratch] = await bothWays(
        OVERDOSE_SPEC,
        [D.AGENCY],
        { agencyIds: [emsId] },
        calendar,
      );
      expect([step, 'agency filter', cells]).toEqual([step, 'agency filter', scratch]);
    }
  }

  /** An unnamed police report and a named EMS one five minutes apart: two events to merge. */
  async function twoEvents(county: string, at: number): Promise<[string, string]> {
    const report = async (actor: Actor, body: Record<string, unknown>) => {
      const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input: body },
        actor.token,
      );
      expect(response.errors).toBeUndefined();
      return response.data!.reportIncident.incident.id;
    };
    const police = await report(
      officer,
      reportInput(county, {
        occurredAt: new Date(at).toISOString(),
        latitude: 35.6,
        longitude: -82.55,
        survivor: null,
      }),
    );
    const ems = await report(
      paramedic,
      reportInput(county, {
        occurredAt: new Date(at + 5 * 60_000).toISOString(),
        latitude: 35.59,
        longitude: -82.55,
      }),
    );
    return [police, ems];
  }

  const caseOf = async (incidentId: string) => {
    const [row] = await connection().execute<Array<{ id: string }>>(
      `select c.id from overdose_case c join overdose_incident i on c.index_incident_id = i.event_id
        where i.id = ?`,
      [incidentId],
    );
    const read = await hub.gql<{ case: { event: { id: string; version: number } } }>(
      CASE_EVENT,
      { id: row.id },
      admin.token,
    );
    expect(read.errors).toBeUndefined();
    return read.data!.case.event;
  };

  it('agree after random reports, late reports, amendments, event merges and their undo', async () => {
    const r = prng(1507);
    const now = Date.now();
    for (let batch = 0; batch < 8; batch++) {
      await seedCases(hub, {
        agencyId: r.pick([programId, emsId]),
        routedAgencyId: programId,
        county: r.pick(counties),
        // Late reports: overdoses of months ago arriving now; some at local evening hours.
        occurredAt: new Date(now - r.int(400) * DAY - r.int(24) * HOUR),
        count: 3 + r.int(8),
        spacingMinutes: 60 * (1 + r.int(30)),
        doses: r.int(3),
        contacted: r.int(4),
        attemptAfterHours: 10 + r.int(80),
        workerId,
        sex: r.pick(['FEMALE', 'MALE'] as const),
        fatal: r.next() < 0.15,
      });
    }
    expect(await keptZone(hub.em(), CHICAGO.timeZone)).toBe(false);
    await keepZone(hub.em(), CHICAGO.timeZone);
    expect(await keptZone(hub.em(), CHICAGO.timeZone)).toBe(true);
    await sameAnswers('seeded');

    // Co-reports through the API, merged by the routed agency's admin; one merge undone.
    const pairs = [];
    for (let i = 0; i < 3; i++) {
      pairs.push(await twoEvents(counties[i], now - (5 + i * 30) * HOUR));
    }
    await sameAnswers('reported');
    const merged = [];
    for (const [police, ems] of pairs) {
      const from = await caseOf(police);
      const into = await caseOf(ems);
      const answer = await hub.gql(
        MERGE,
        {
          eventId: from.id,
          version: from.version,
          intoEventId: into.id,
          intoVersion: into.version,
        },
        admin.token,
      );
      expect(answer.errors).toBeUndefined();
      merged.push(from.id);
    }
    await sameAnswers('merged');
    const [version] = await connection().execute<Array<{ version: number }>>(
      'select version from overdose_event where id = ?',
      [merged[0]],
    );
    const undone = await hub.gql(
      UNDO,
      { eventId: merged[0], version: version.version },
      admin.token,
    );
    expect(undone.errors).toBeUndefined();
    await sameAnswers('merge undone');

    const ids = (
      await connection().execute<Array<{ id: string }>>(
        'select id from overdose_incident where county = any(?::bpchar[]) order by id',
        [`{${counties.join(',')}}`],
      )
    ).map((u) => u.id);
    const pick = (n: number) => `{${Array.from({ length: n }, () => r.pick(ids)).join(',')}}`;
    const steps: Array<[string, string, unknown[]]> = [
      [
        // Across a local midnight and a month end: a cell in another day, month and county.
        'amend county and time',
        `update overdose_incident set county = ?, occurred_at = occurred_at - interval '35 days 5 hours' where id = any(?::uuid[])`,
        [counties[2], pick(5)],
      ],
      [
        'amend fatal and substances',
        `update overdose_incident set fatal = not fatal, suspected_substances = '{FENTANYL,COCAINE}' where id = any(?::uuid[])`,
        [pick(4)],
      ],
      [
        'add naloxone',
        `insert into naloxone_administration (id, created_at, updated_at, incident_id, route, administered_by) select gen_random_uuid(), now(), now(), id, 'IN', 'BYSTANDER' from overdose_incident where id = any(?::uuid[])`,
        [pick(5)],
      ],
      [
        'engage and link',
        `insert into case_event (id, created_at, updated_at, case_id, from_status, to_status) select gen_random_uuid(), now(), now(), c.id, 'OUTREACH', s::case_status from overdose_case c, unnest('{ENGAGED,LINKED}'::text[]) s where c.index_incident_id = any(?::uuid[])`,
        [pick(4)],
      ],
      [
        'attempt with an officer present',
        `insert into outreach_attempt (id, created_at, updated_at, case_id, worker_id, method, attempted_at, outcome, team_present, officer_presence) select gen_random_uuid(), now(), now(), c.id, '${workerId}', 'VISIT', i.occurred_at + interval '30 hours', 'CONTACT_SURVIVOR_ENGAGED', '{}', 'UNIFORMED' from overdose_case c join overdose_incident i on i.id = c.index_incident_id where c.index_incident_id = any(?::uuid[])`,
        [pick(4)],
      ],
      [
        'demographics',
        `update person set sex = 'MALE', race_ethnicity = '{BLACK_OR_AFRICAN_AMERICAN}' where id in (select person_id from overdose_incident where id = any(?::uuid[]))`,
        [pick(4)],
      ],
      [
        'entered in error',
        `update overdose_case set status = 'ENTERED_IN_ERROR' where index_incident_id = any(?::uuid[])`,
        [pick(2)],
      ],
      [
        'routed elsewhere and closed',
        `update overdose_case set routed_agency_id = null, status = 'CLOSED', close_reason = 'UNABLE_TO_CONTACT' where index_incident_id = any(?::uuid[])`,
        [pick(3)],
      ],
    ];
    for (const [name, text, bindings] of steps) {
      await connection().execute(text, bindings);
      await sameAnswers(name);
    }

    // A rebuild (refreshStatsRollup, the seeder's load) gives the cells the triggers kept.
    // Day, week and month cells alike (the weeks and months are rebuilt from the days).
    const kept = ['stats_cell', 'stats_cell_week', 'stats_cell_month']
      .map(
        (table) => `select '${table}' as grain, zone, dim, county, day, value, n_incidents,
                         k_incidents, n_cases, k_cases, n_contacted, n_naloxone_doses from ${table}
                   where county = any(?::bpchar[]) and (n_incidents, n_cases) <> (0, 0)
                     and zone <> 'Europe/Paris'`,
      )
      .join(' union all ')
      .concat(' order by 1, 2, 3, 4, 5, 6');
    const set = `{${counties.join(',')}}`;
    const before = await connection().execute(kept, [set, set, set]);
    // A zone wanted on a large hub (kept by the triggers from now on) is whole after a rebuild.
    await connection().execute(`select stats_cell_want_zone('Europe/Paris')`);
    expect(await keptZone(hub.em(), 'Europe/Paris')).toBe(false);
    await refreshStatsRollup(hub.em());
    expect(await keptZone(hub.em(), 'Europe/Paris')).toBe(true);
    expect(await connection().execute(kept, [set, set, set])).toEqual(before);
    await sameAnswers('rebuilt');
  });

  it('answers an analyst through GraphQL with the protected table of the raw tables', async () => {
    const QUERY = `query { overdoseStats(groupBy: [MONTH, COUNTY]) {
      rows { group { month county } incidents { value suppressed } naloxoneDoses { value suppressed } }
      total { incidents { value suppressed } } } }`;
    const answer = await hub.gql<{
      overdoseStats: {
        rows: Array<{
          group: { month: string; county: string };
          incidents: unknown;
          naloxoneDoses: unknown;
        }>;
        total: { incidents: unknown };
      };
    }>(QUERY, {}, analyst.token);
    expect(answer.errors).toBeUndefined();
    const spec = withSource(OVERDOSE_SPEC, FACT_FROM_SCRATCH);
    const rows = await execute(
      aggregateSql(spec, [D.MONTH, D.COUNTY], scopeSql(access(), spec.columns), NEW_YORK),
    );
    const table = protect(rows, [D.MONTH, D.COUNTY], hub.config.disclosure, 'shared', NEW_YORK);
    const expected = table.cells
      .filter((c) => c.kind === 'row')
      .map((c) => ({
        group: { month: c.group.month, county: c.group.county },
        incidents: c.count('incidents'),
        naloxoneDoses: c.count('naloxoneDoses'),
      }));
    const strip = (x: unknown) =>
      JSON.parse(JSON.stringify(x, (k, v) => (k === 'internal' ? undefined : v)));
    const order = (xs: Array<{ group: { month: string | null; county: string | null } }>) =>
      [...xs].sort((a, b) =>
        `${a.group.month}${a.group.county}`.localeCompare(`${b.group.month}${b.group.county}`),
      );
    expect(answer.data!.overdoseStats.rows.length).toBeGreaterThan(3);
    expect(order(answer.data!.overdoseStats.rows)).toEqual(order(strip(expected)));
  });
});
