import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../common/role';
import { AgencyKind } from '../modules/agency/agency-kind';
import { Agency } from '../modules/agency/agency.entity';
import { User } from '../modules/agency/user.entity';
import { AgreementPurpose, LawfulBasis } from '../modules/agency/agreement-codes';
import { DataSharingAgreement } from '../modules/agency/data-sharing-agreement.entity';
import { demoResources } from '../modules/resource/demo-resources';
import { TreatmentResource } from '../modules/resource/treatment-resource.entity';
import { seedDemoWorld } from './demo-world';

/** Demo counties: Buncombe, Haywood and Madison, North Carolina (FIPS 37021, 37087, 37115). */
export const DEMO_COUNTIES = ['37021', '37087', '37115'];

const DEMO_AGENCIES: Array<{
  key: string;
  name: string;
  kind: AgencyKind;
  part2Program?: boolean;
  runsFollowUp?: boolean;
}> = [
  { key: 'police', name: 'Demo City Police Department', kind: AgencyKind.LAW_ENFORCEMENT },
  { key: 'ems', name: 'Demo County EMS', kind: AgencyKind.EMS },
  { key: 'harmReduction', name: 'Demo Harm Reduction Coalition', kind: AgencyKind.HARM_REDUCTION },
  { key: 'lead', name: 'Demo LEAD Program', kind: AgencyKind.LEAD_PROGRAM },
  { key: 'health', name: 'Demo County Health Department', kind: AgencyKind.PUBLIC_HEALTH },
  { key: 'research', name: 'Demo University Research Group', kind: AgencyKind.RESEARCH },
  // Issue 14's second story: an EMS community-paramedic program running follow-up, and a clinic.
  {
    key: 'paramedicine',
    name: 'Demo County EMS Community Paramedic Program',
    kind: AgencyKind.EMS,
    runsFollowUp: true,
  },
  { key: 'clinic', name: 'Demo Recovery Clinic', kind: AgencyKind.TREATMENT },
];

/**
 * One demo user per role, in the agency that role belongs to, then the second story's cast. A
 * user's token is printed under its key: the role, or (for the cast) the key given here.
 */
const DEMO_USERS: Array<{ role: Role; agency: string; name: string; key?: string }> = [
  { role: Role.POLICE_OFFICER, agency: 'police', name: 'Officer Demo' },
  { role: Role.EMS_PROVIDER, agency: 'ems', name: 'Paramedic Demo' },
  { role: Role.OUTREACH_WORKER, agency: 'harmReduction', name: 'Peer Worker Demo' },
  { role: Role.LEAD_CASE_MANAGER, agency: 'lead', name: 'LEAD Case Manager Demo' },
  { role: Role.AGENCY_ADMIN, agency: 'harmReduction', name: 'Agency Admin Demo' },
  { role: Role.ANALYST, agency: 'health', name: 'Analyst Demo' },
  { role: Role.RESEARCHER, agency: 'research', name: 'Researcher Demo' },
  { role: Role.HUB_ADMIN, agency: 'health', name: 'Hub Admin Demo' },
  {
    role: Role.OUTREACH_WORKER,
    agency: 'paramedicine',
    name: 'Community Paramedic Demo',
    key: 'COMMUNITY_PARAMEDIC',
  },
  { role: Role.TREATMENT_PROVIDER, agency: 'clinic', name: 'Clinic Intake Demo' },
];

/** The demo email of a token key (and back): OUTREACH_WORKER ↔ outreach.worker@demo.example. */
const emailOf = (key: string) => `${key.toLowerCase().replace(/_/g, '.')}@demo.example`;
const keyOf = (email: string) => email.split('@')[0].toUpperCase().replace(/\./g, '_');

export interface DemoUser {
  /** What its token is printed under (demo-tokens.json): the role, or the cast member's key. */
  key: string;
  role: Role;
  userId: string;
  email: string;
}

/** True when the database holds no agency yet: the only state in which demo data is seeded. */
export async function isEmpty(em: EntityManager): Promise<boolean> {
  return (await em.count(Agency, {})) === 0;
}

/**
 * Seeds the demo agencies, users, agreements, directory listings and the demo world (about 200
 * synthetic overdoses of the last 90 days, demo-world.ts) in one transaction; returns the users
 * to print tokens for. Callers never run it in production.
 */
export async function seedDemoData(em: EntityManager): Promise<DemoUser[]> {
  return em.transactional(async (tx) => {
    const agencies = new Map<string, Agency>();
    for (const a of DEMO_AGENCIES) {
      agencies.set(
        a.key,
        tx.create(Agency, {
          name: a.name,
          kind: a.kind,
          serviceCounties: DEMO_COUNTIES,
          part2Program: a.part2Program ?? false,
          ...(a.runsFollowUp ? { runsFollowUp: true } : {}),
        }),
      );
    }
    const users = DEMO_USERS.map((u) =>
      tx.create(User, {
        agency: agencies.get(u.agency)!,
        role: u.role,
        displayName: u.name,
        email: emailOf(u.key ?? u.role),
      }),
    );
    seedDemoAgreements(tx, agencies);
    for (const resource of demoResources()) {
      tx.create(TreatmentResource, { ...resource, lastVerifiedAt: new Date() });
    }
    await tx.flush();
    const user = (role: Role) => users.find((u) => u.email === emailOf(role))!.id;
    await seedDemoWorld(tx, {
      police: agencies.get('police')!.id,
      ems: agencies.get('ems')!.id,
      harmReduction: agencies.get('harmReduction')!.id,
      lead: agencies.get('lead')!.id,
      outreachWorker: user(Role.OUTREACH_WORKER),
      policeOfficer: user(Role.POLICE_OFFICER),
    });
    return users.map((u) => ({ key: keyOf(u.email), role: u.role, userId: u.id, email: u.email }));
  });
}

/**
 * Identity may flow from the demo police and EMS to the harm-reduction coalition (follow-up
 * outreach under public-health authority) and from the police to the LEAD program.
 */
function seedDemoAgreements(tx: EntityManager, agencies: Map<string, Agency>): void {
  const agreement = (source: string, recipient: string, purpose: AgreementPurpose) =>
    tx.create(DataSharingAgreement, {
      sourceAgency: agencies.get(source)!,
      recipientAgency: agencies.get(recipient)!,
      purpose,
      lawfulBasis: LawfulBasis.PUBLIC_HEALTH_AUTHORITY,
      counties: DEMO_COUNTIES,
      effectiveFrom: new Date(Date.UTC(2024, 0, 1)),
    });
  agreement('ems', 'harmReduction', AgreementPurpose.FOLLOW_UP_OUTREACH);
  agreement('police', 'harmReduction', AgreementPurpose.FOLLOW_UP_OUTREACH);
  agreement('police', 'lead', AgreementPurpose.LEAD);
}

/** Demo users of an already seeded database, so a restart can print fresh tokens. */
export async function findDemoUsers(em: EntityManager): Promise<DemoUser[]> {
  const users = await em.find(
    User,
    { email: { $like: '%@demo.example' }, active: true },
    { orderBy: { role: 'asc' } },
  );
  // A role's own demo user before the cast member of the same role (callers look up by role).
  return users
    .map((u) => ({ key: keyOf(u.email), role: u.role, userId: u.id, email: u.email }))
    .sort((a, b) => Number(b.key === b.role) - Number(a.key === a.role));
}
