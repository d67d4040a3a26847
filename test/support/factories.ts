import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/role';
import { AgencyKind, ROLES_BY_AGENCY_KIND } from '../../src/modules/agency/agency-kind';
import { Agency } from '../../src/modules/agency/agency.entity';
import { ApiKey } from '../../src/modules/agency/api-key.entity';
import { AgreementPurpose, LawfulBasis } from '../../src/modules/agency/agreement-codes';
import { DataSharingAgreement } from '../../src/modules/agency/data-sharing-agreement.entity';
import { User } from '../../src/modules/agency/user.entity';
import { generateApiKey } from '../../src/auth/api-key-secret';
import { signUserToken } from '../../src/auth/tokens';
import type { TestHub } from './hub';
import { CaseStatus, ReferralStatus, ReferralType } from '../../src/modules/case/case-codes';
import { Case } from '../../src/modules/case/case.entity';
import { Referral } from '../../src/modules/case/referral.entity';
import { OverdoseIncident } from '../../src/modules/incident/incident.entity';
import { Person } from '../../src/modules/person/person.entity';
import { ReportedIdentity } from '../../src/modules/incident/reported-identity.entity';

/** Short unique suffix so that every factory call makes distinct names, emails and counties. */
export const unique = (): string => randomUUID().slice(0, 8);

let countySeq = Math.floor(Math.random() * 40_000);
/** A county FIPS code no other test uses, so routing tests do not see each other's agencies. */
export const uniqueCounty = (): string => String(50_000 + (countySeq++ % 49_999)).padStart(5, '0');

export async function makeAgency(
  hub: TestHub,
  kind: AgencyKind,
  overrides: Partial<
    Pick<Agency, 'name' | 'serviceCounties' | 'part2Program' | 'active' | 'runsFollowUp'>
  > = {},
): Promise<Agency> {
  const em = hub.em();
  const agency = em.create(Agency, {
    name: `${kind} ${unique()}`,
    kind,
    serviceCounties: [uniqueCounty()],
    ...overrides,
  });
  await em.flush();
  return agency;
}

export interface Actor {
  user: User;
  agency: Agency;
  token: string;
}

/** A user with a signed token; the agency kind is the natural one for the role unless given. */
export async function makeUser(
  hub: TestHub,
  role: Role,
  options: { agency?: Agency; active?: boolean } = {},
): Promise<Actor> {
  const agency = options.agency ?? (await makeAgency(hub, naturalKind(role)));
  const em = hub.em();
  const user = em.create(User, {
    agency: agency.id,
    role,
    displayName: `${role} ${unique()}`,
    email: `${unique()}@test.example`,
    active: options.active ?? true,
  });
  await em.flush();
  return { user, agency, token: await signUserToken(hub.config.auth, user.id) };
}

export async function makeApiKey(
  hub: TestHub,
  agency: Agency,
  role: Role,
  options: { revoked?: boolean } = {},
): Promise<{ apiKey: ApiKey; key: string }> {
  const em = hub.em();
  const { key, prefix, secretHash } = generateApiKey();
  const apiKey = em.create(ApiKey, {
    agency: agency.id,
    role,
    label: `key ${unique()}`,
    prefix,
    secretHash,
    revokedAt: options.revoked ? new Date() : undefined,
  });
  await em.flush();
  return { apiKey, key };
}

export type AgreementOverrides = Partial<
  Pick<
    DataSharingAgreement,
    | 'purpose'
    | 'lawfulBasis'
    | 'counties'
    | 'effectiveFrom'
    | 'effectiveTo'
    | 'endedAt'
    | 'endedReason'
  >
>;

/**
 * A data-sharing agreement written straight to the database (no validation), so tests can set up
 * any state, including ended or expired ones. Defaults: FOLLOW_UP_OUTREACH under public-health
 * authority, covering the recipient's service counties, in force since yesterday, open-ended.
 */
export async function makeAgreement(
  hub: TestHub,
  source: Agency,
  recipient: Agency,
  overrides: AgreementOverrides = {},
): Promise<DataSharingAgreement> {
  const em = hub.em();
  const agreement = em.create(DataSharingAgreement, {
    sourceAgency: source.id,
    recipientAgency: recipient.id,
    purpose: AgreementPurpose.FOLLOW_UP_OUTREACH,
    lawfulBasis: LawfulBasis.PUBLIC_HEALTH_AUTHORITY,
    counties:
      recipient.serviceCounties.length > 0 ? [...recipient.serviceCounties] : [uniqueCounty()],
    effectiveFrom: new Date(Date.now() - 24 * 3_600_000),
    ...overrides,
  });
  await em.flush();
  return agreement;
}

export function naturalKind(role: Role): AgencyKind {
  const preferred: Partial<Record<Role, AgencyKind>> = {
    [Role.AGENCY_ADMIN]: AgencyKind.HARM_REDUCTION,
    [Role.ANALYST]: AgencyKind.PUBLIC_HEALTH,
    // Outreach workers follow the follow-up capability, which harm-reduction agencies have.
    [Role.OUTREACH_WORKER]: AgencyKind.HARM_REDUCTION,
  };
  if (preferred[role]) return preferred[role];
  const kind = (Object.keys(ROLES_BY_AGENCY_KIND) as AgencyKind[]).find((k) =>
    ROLES_BY_AGENCY_KIND[k].includes(role),
  );
  if (!kind) throw new Error(`no agency kind for ${role}`);
  return kind;
}

export interface RoutedCaseOptions {
  /** The harm-reduction agency the case is routed to; a new one covering `county` if omitted. */
  outreach?: Agency;
  /** The EMS agency that reported the overdose; a new one if omitted. */
  reporter?: Agency;
  county?: string;
  /** Whether reporter → outreach has an active agreement (identity unsealed). Default true. */
  agreement?: boolean;
  /** Whether the case has a person in the vault. Default true. */
  withPerson?: boolean;
  person?: Partial<Pick<TestPerson, 'firstName' | 'lastName' | 'phone' | 'dateOfBirth'>>;
  occurredAt?: Date;
  status?: CaseStatus;
  assignedWorker?: User;
  priorCases?: Case[];
}

/** What a reporter entered about the survivor (the incident's ReportedIdentity). */
export interface ReportedValues {
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
  phone?: string;
  street?: string;
  city?: string;
  state?: string;
  zip?: string;
}

/**
 * A person link with the values its report entered, for tests to compare with what is served
 * (the values themselves live on the report's ReportedIdentity, not on the Person).
 */
export type TestPerson = Person & ReportedValues;

export interface RoutedCase {
  kase: Case;
  incident: OverdoseIncident;
  person?: TestPerson;
  referral: Referral;
  reporter: Agency;
  outreach: Agency;
}

/**
 * A case as intake leaves it after routing (incident, person, case REFERRED, referral
 * REQUESTED), written straight through the ORM so case tests do not depend on intake.
 */
export async function makeRoutedCase(
  hub: TestHub,
  options: RoutedCaseOptions = {},
): Promise<RoutedCase> {
  const county = options.county ?? options.outreach?.serviceCounties[0] ?? uniqueCounty();
  const reporter = options.reporter ?? (await makeAgency(hub, AgencyKind.EMS));
  const outreach =
    options.outreach ??
    (await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] }));
  if (options.agreement ?? true)
    await makeAgreement(hub, reporter, outreach, { counties: [county] });

  const em = hub.em();
  const values: ReportedValues = {
    firstName: `First${unique()}`,
    lastName: `Last${unique()}`,
    dateOfBirth: '1990-04-01',
    phone: '555-0100',
    street: '1 Main St',
    city: 'Springfield',
    state: 'NC',
    zip: '27000',
    ...options.person,
  };
  const person = (options.withPerson ?? true) ? em.create(Person, {}) : undefined;
  const occurredAt = options.occurredAt ?? new Date(Date.now() - 3_600_000);
  const incident = em.create(OverdoseIncident, {
    reportingAgency: reporter.id,
    externalId: `ext-${unique()}`,
    occurredAt,
    county,
    street: '9 Elm St',
    fatal: false,
    person,
    reportedById: randomUUID(),
  });
  if (person) em.create(ReportedIdentity, { incident, ...values });
  const status = options.status ?? CaseStatus.REFERRED;
  const kase = em.create(Case, {
    person,
    indexIncident: incident,
    county,
    status,
    routedAgency: outreach.id,
    assignedWorker: options.assignedWorker?.id,
    followUpOpensAt: new Date(occurredAt.getTime() + 24 * 3_600_000),
    followUpDueAt: new Date(occurredAt.getTime() + 72 * 3_600_000),
  });
  for (const prior of options.priorCases ?? [])
    kase.priorCases.add(em.getReference(Case, prior.id));
  const referral = em.create(Referral, {
    case: kase,
    toAgency: outreach.id,
    type: ReferralType.FOLLOW_UP_OUTREACH,
    status: status === CaseStatus.REFERRED ? ReferralStatus.REQUESTED : ReferralStatus.ACCEPTED,
  });
  await em.flush();
  return {
    kase,
    incident,
    // The values ride along on the in-memory object only (no Person column holds them).
    person: person && Object.assign(person, values),
    referral,
    reporter,
    outreach,
  };
}

/** A reported case waiting in TRIAGE, not routed anywhere yet (as intake leaves it before routing). */
export async function makeTriageCase(
  hub: TestHub,
  options: { reporter?: Agency; county?: string; withPerson?: boolean } = {},
): Promise<{ kase: Case; incident: OverdoseIncident; reporter: Agency; county: string }> {
  const county = options.county ?? uniqueCounty();
  const reporter = options.reporter ?? (await makeAgency(hub, AgencyKind.EMS));
  const em = hub.em();
  const person = (options.withPerson ?? true) ? em.create(Person, {}) : undefined;
  const occurredAt = new Date(Date.now() - 3_600_000);
  const incident = em.create(OverdoseIncident, {
    reportingAgency: reporter.id,
    externalId: `ext-${unique()}`,
    occurredAt,
    county,
    fatal: false,
    person,
    reportedById: randomUUID(),
  });
  if (person) {
    em.create(ReportedIdentity, {
      incident,
      firstName: `First${unique()}`,
      lastName: `Last${unique()}`,
    });
  }
  const kase = em.create(Case, {
    person,
    indexIncident: incident,
    county,
    status: CaseStatus.TRIAGE,
    followUpOpensAt: new Date(occurredAt.getTime() + 24 * 3_600_000),
    followUpDueAt: new Date(occurredAt.getTime() + 72 * 3_600_000),
  });
  await em.flush();
  return { kase, incident, reporter, county };
}
