import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import { AgencyKind } from '../../modules/agency/agency-kind';
import { runsFollowUpByDefault } from '../../modules/agency/follow-up-capability';
import { AgreementPurpose, LawfulBasis } from '../../modules/agency/agreement-codes';
import { Role } from '../../common/role';
import { insertRows, pgList } from './bulk-insert';
import type { Random } from './random';

/**
 * North Carolina counties (FIPS, name, population in thousands, overdose rate relative to the
 * state: the mountain counties run higher), the geography the synthetic hub serves.
 */
export const COUNTIES: ReadonlyArray<readonly [string, string, number, number, number, number]> = [
  // fips, name, population (k), relative rate, latitude, longitude
  ['37119', 'Mecklenburg', 1150, 0.9, 35.25, -80.83],
  ['37183', 'Wake', 1175, 0.7, 35.79, -78.65],
  ['37081', 'Guilford', 540, 1.0, 36.08, -79.79],
  ['37067', 'Forsyth', 385, 1.1, 36.13, -80.26],
  ['37063', 'Durham', 325, 1.0, 35.99, -78.9],
  ['37051', 'Cumberland', 335, 1.3, 35.05, -78.88],
  ['37021', 'Buncombe', 270, 1.6, 35.6, -82.55],
  ['37179', 'Union', 240, 0.7, 34.99, -80.53],
  ['37129', 'New Hanover', 230, 1.5, 34.23, -77.89],
  ['37035', 'Catawba', 160, 1.3, 35.66, -81.21],
  ['37025', 'Cabarrus', 225, 0.9, 35.39, -80.55],
  ['37071', 'Gaston', 227, 1.5, 35.29, -81.18],
  ['37135', 'Orange', 148, 0.7, 36.06, -79.12],
  ['37133', 'Onslow', 204, 1.2, 34.76, -77.5],
  ['37147', 'Pitt', 170, 1.0, 35.59, -77.37],
  ['37097', 'Iredell', 186, 1.1, 35.81, -80.87],
  ['37001', 'Alamance', 171, 1.2, 36.04, -79.4],
  ['37019', 'Brunswick', 136, 1.4, 34.04, -78.23],
  ['37057', 'Davidson', 168, 1.3, 35.79, -80.21],
  ['37101', 'Johnston', 215, 1.0, 35.51, -78.37],
  ['37159', 'Rowan', 146, 1.4, 35.64, -80.52],
  ['37151', 'Randolph', 144, 1.4, 35.71, -79.81],
  ['37155', 'Robeson', 116, 2.0, 34.64, -79.1],
  ['37191', 'Wayne', 117, 1.2, 35.36, -78.0],
  ['37085', 'Harnett', 133, 1.1, 35.37, -78.87],
  ['37089', 'Henderson', 116, 1.3, 35.34, -82.48],
  ['37031', 'Carteret', 67, 1.3, 34.86, -76.83],
  ['37127', 'Nash', 94, 1.2, 35.97, -77.99],
  ['37195', 'Wilson', 78, 1.2, 35.7, -77.92],
  ['37115', 'Madison', 21, 1.8, 35.86, -82.71],
  ['37087', 'Haywood', 62, 1.7, 35.56, -82.98],
  ['37111', 'McDowell', 44, 1.9, 35.68, -82.05],
  ['37023', 'Burke', 87, 1.6, 35.75, -81.7],
  ['37027', 'Caldwell', 80, 1.7, 35.95, -81.55],
  ['37189', 'Watauga', 54, 0.8, 36.23, -81.7],
  ['37013', 'Beaufort', 44, 1.2, 35.48, -76.84],
  ['37049', 'Craven', 100, 1.1, 35.12, -77.08],
  ['37105', 'Lee', 63, 1.2, 35.48, -79.17],
  ['37125', 'Moore', 100, 0.9, 35.31, -79.48],
  ['37065', 'Edgecombe', 48, 1.4, 35.92, -77.6],
];

/** Harm-reduction teams and the counties each covers; a few counties have two, two have none. */
const HARM_REDUCTION: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Charlotte Post-Overdose Response Team', ['37119', '37179', '37025']],
  ['Triangle Harm Reduction Collective', ['37183', '37063', '37135', '37101']],
  ['Piedmont Peer Support Network', ['37081', '37067', '37001', '37057', '37151']],
  ['Sandhills Recovery Outreach', ['37051', '37085', '37105', '37125', '37155']],
  ['Western NC Harm Reduction', ['37021', '37115', '37087', '37089', '37111']],
  ['Foothills Outreach Partnership', ['37035', '37023', '37027', '37097', '37071']],
  ['Cape Fear Harm Reduction', ['37129', '37019', '37133']],
  ['Eastern NC Peer Navigators', ['37147', '37191', '37127', '37195', '37065', '37013', '37049']],
  ['Mecklenburg Community Health Outreach', ['37119', '37071']],
  ['Wake Recovery Community Organization', ['37183', '37101']],
  ['Rowan-Cabarrus Harm Reduction', ['37159', '37025']],
  // 37031 Carteret and 37189 Watauga: no team, cases wait in triage (NO_COVERING_AGENCY).
];

const LEAD_PROGRAMS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Charlotte-Mecklenburg LEAD', ['37119']],
  ['Durham LEAD', ['37063', '37135']],
  ['Fayetteville LEAD', ['37051']],
  ['Asheville-Buncombe LEAD', ['37021', '37115']],
];

const TREATMENT = [
  'Carolina Opioid Treatment Center',
  'Piedmont Bridge Clinic (MOUD)',
  'Mountain Area Detox and Recovery',
  'Coastal Behavioral Health',
  'Triangle Office-Based Opioid Treatment',
];

export const SYNTHETIC_PREFIX = 'Synthetic ';
const EMAIL_DOMAIN = 'synthetic.invalid';

export interface County {
  fips: string;
  name: string;
  weight: number;
  lat: number;
  lng: number;
  police: string;
  ems: string;
  policeReporter: string;
  emsReporter: string;
  /** Harm-reduction agencies serving the county, in routing preference (agreement first). */
  harmReduction: string[];
  lead?: string;
}

export interface World {
  counties: County[];
  /** Outreach workers by harm-reduction agency id. */
  workers: Map<string, string[]>;
  caseManagers: Map<string, string[]>;
  treatment: string[];
  /** "source|recipient|county" for every active data-sharing agreement. */
  agreements: Set<string>;
}

interface AgencyRow {
  id: string;
  name: string;
  kind: AgencyKind;
  counties: string[];
}
interface UserRow {
  id: string;
  agencyId: string;
  role: Role;
  email: string;
}

/**
 * The agencies, users and data-sharing agreements the synthetic incidents refer to. Created once
 * per database (names start with "Synthetic "); a later run finds and reuses them.
 */
export async function ensureWorld(client: ClientBase, random: Random): Promise<World> {
  const existing = await client.query<{ n: number }>(
    `select count(*)::int as n from agency where name like $1`,
    [`${SYNTHETIC_PREFIX}%`],
  );
  if (existing.rows[0].n === 0) await createWorld(client, random);
  return loadWorld(client);
}

async function createWorld(client: ClientBase, random: Random): Promise<void> {
  const agencies: AgencyRow[] = [];
  const users: UserRow[] = [];
  const add = (name: string, kind: AgencyKind, counties: readonly string[]): AgencyRow => {
    const row = { id: randomUUID(), name: SYNTHETIC_PREFIX + name, kind, counties: [...counties] };
    agencies.push(row);
    return row;
  };
  const addUsers = (agency: AgencyRow, role: Role, count: number, slug: string) => {
    for (let i = 1; i <= count; i++) {
      users.push({
        id: randomUUID(),
        agencyId: agency.id,
        role,
        email: `${slug}-${i}@${agency.id.slice(0, 8)}.${EMAIL_DOMAIN}`,
      });
    }
  };
  for (const [fips, name] of COUNTIES) {
    addUsers(
      add(`${name} County Police`, AgencyKind.LAW_ENFORCEMENT, [fips]),
      Role.POLICE_OFFICER,
      3,
      'officer',
    );
    addUsers(add(`${name} County EMS`, AgencyKind.EMS, [fips]), Role.EMS_PROVIDER, 3, 'ems');
  }
  for (const [name, counties] of HARM_REDUCTION) {
    const agency = add(name, AgencyKind.HARM_REDUCTION, counties);
    addUsers(agency, Role.OUTREACH_WORKER, 4 + 2 * counties.length, 'outreach');
    addUsers(agency, Role.AGENCY_ADMIN, 1, 'admin');
  }
  for (const [name, counties] of LEAD_PROGRAMS) {
    addUsers(add(name, AgencyKind.LEAD_PROGRAM, counties), Role.LEAD_CASE_MANAGER, 3, 'lead-cm');
  }
  for (const name of TREATMENT) {
    add(
      name,
      AgencyKind.TREATMENT,
      COUNTIES.map(([fips]) => fips),
    );
  }
  // Analysts see aggregates for their agency's counties: the state health department, all.
  const health = add(
    'NC Public Health Analytics',
    AgencyKind.PUBLIC_HEALTH,
    COUNTIES.map(([fips]) => fips),
  );
  addUsers(health, Role.ANALYST, 2, 'analyst');
  addUsers(add('Hub Operations', AgencyKind.PUBLIC_HEALTH, []), Role.HUB_ADMIN, 1, 'hub-admin');

  const created = new Date(Date.now() - 4 * 365 * 86_400_000).toISOString();
  await insertRows(
    client,
    'agency',
    [
      ['id', 'uuid'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
      ['name', 'text'],
      ['kind', 'agency_kind'],
      ['service_counties', 'text[]'],
      ['part2_program', 'boolean'],
      ['active', 'boolean'],
      ['runs_follow_up', 'boolean'],
    ],
    agencies.map((a) => [
      a.id,
      created,
      created,
      a.name,
      a.kind,
      pgList(a.counties),
      a.kind === AgencyKind.TREATMENT,
      true,
      runsFollowUpByDefault(a.kind),
    ]),
  );
  await insertRows(
    client,
    'app_user',
    [
      ['id', 'uuid'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
      ['agency_id', 'uuid'],
      ['role', 'hub_role'],
      ['display_name', 'text'],
      ['email', 'text'],
      ['active', 'boolean'],
    ],
    users.map((u, i) => [
      u.id,
      created,
      created,
      u.agencyId,
      u.role,
      `Synthetic user ${i + 1}`,
      u.email,
      true,
    ]),
  );

  // Most reporters share identity with the teams in their county; about one pair in six has no
  // agreement yet, so those cases are routed and counted but identity stays sealed.
  const agreements: Array<readonly unknown[]> = [];
  for (const hr of agencies.filter((a) => a.kind === AgencyKind.HARM_REDUCTION)) {
    for (const fips of hr.counties) {
      for (const reporter of agencies.filter(
        (a) =>
          (a.kind === AgencyKind.LAW_ENFORCEMENT || a.kind === AgencyKind.EMS) &&
          a.counties[0] === fips,
      )) {
        if (random.next() < 0.17) continue;
        agreements.push([
          randomUUID(),
          created,
          created,
          reporter.id,
          hr.id,
          AgreementPurpose.FOLLOW_UP_OUTREACH,
          random.pick([LawfulBasis.PUBLIC_HEALTH_AUTHORITY, LawfulBasis.BAA_DUA]),
          pgList([fips]),
          created,
          1,
        ]);
      }
    }
  }
  await insertRows(
    client,
    'data_sharing_agreement',
    [
      ['id', 'uuid'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
      ['source_agency_id', 'uuid'],
      ['recipient_agency_id', 'uuid'],
      ['purpose', 'agreement_purpose'],
      ['lawful_basis', 'lawful_basis'],
      ['counties', 'text[]'],
      ['effective_from', 'timestamptz'],
      ['version', 'integer'],
    ],
    agreements as Array<Array<string | number>>,
  );
}

async function loadWorld(client: ClientBase): Promise<World> {
  const agencies = (
    await client.query<{ id: string; name: string; kind: AgencyKind; service_counties: string[] }>(
      `select id, name, kind, service_counties from agency where name like $1 order by name, id`,
      [`${SYNTHETIC_PREFIX}%`],
    )
  ).rows;
  const users = (
    await client.query<{ id: string; agency_id: string; role: Role }>(
      `select u.id, u.agency_id, u.role from app_user u join agency a on a.id = u.agency_id
        where a.name like $1 and u.active order by u.email`,
      [`${SYNTHETIC_PREFIX}%`],
    )
  ).rows;
  const agreementRows = (
    await client.query<{ source: string; recipient: string; counties: string[] }>(
      `select source_agency_id as source, recipient_agency_id as recipient, counties
         from data_sharing_agreement where ended_at is null and purpose = $1`,
      [AgreementPurpose.FOLLOW_UP_OUTREACH],
    )
  ).rows;
  const agreements = new Set<string>();
  for (const a of agreementRows)
    for (const c of a.counties) agreements.add(`${a.source}|${a.recipient}|${c}`);

  const usersOf = (agencyId: string, role: Role) =>
    users.filter((u) => u.agency_id === agencyId && u.role === role).map((u) => u.id);
  const ofKind = (kind: AgencyKind) => agencies.filter((a) => a.kind === kind);
  const workers = new Map<string, string[]>();
  for (const a of ofKind(AgencyKind.HARM_REDUCTION))
    workers.set(a.id, usersOf(a.id, Role.OUTREACH_WORKER));
  const caseManagers = new Map<string, string[]>();
  for (const a of ofKind(AgencyKind.LEAD_PROGRAM)) {
    caseManagers.set(a.id, usersOf(a.id, Role.LEAD_CASE_MANAGER));
  }

  const counties: County[] = COUNTIES.map(([fips, name, population, rate, lat, lng]) => {
    const police = ofKind(AgencyKind.LAW_ENFORCEMENT).find((a) => a.service_counties[0] === fips)!;
    const ems = ofKind(AgencyKind.EMS).find((a) => a.service_counties[0] === fips)!;
    return {
      fips,
      name,
      weight: population * rate,
      lat,
      lng,
      police: police.id,
      ems: ems.id,
      policeReporter: usersOf(police.id, Role.POLICE_OFFICER)[0],
      emsReporter: usersOf(ems.id, Role.EMS_PROVIDER)[0],
      harmReduction: ofKind(AgencyKind.HARM_REDUCTION)
        .filter((a) => a.service_counties.includes(fips))
        .map((a) => a.id),
      lead: ofKind(AgencyKind.LEAD_PROGRAM).find((a) => a.service_counties.includes(fips))?.id,
    };
  });
  return {
    counties,
    workers,
    caseManagers,
    treatment: ofKind(AgencyKind.TREATMENT).map((a) => a.id),
    agreements,
  };
}
