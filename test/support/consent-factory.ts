import { Role } from '../../src/common/role';
import { AgencyKind } from '../../src/modules/agency/agency-kind';
import type { Agency } from '../../src/modules/agency/agency.entity';
import { AgreementPurpose } from '../../src/modules/agency/agreement-codes';
import { CaseStatus } from '../../src/modules/case/case-codes';
import type { Case } from '../../src/modules/case/case.entity';
import { LeadDoor, LeadStatus } from '../../src/modules/lead/lead-codes';
import { LeadReferral } from '../../src/modules/lead/lead-referral.entity';
import { Consent } from '../../src/modules/outreach/consent.entity';
import { ConsentMethod, ConsentScope } from '../../src/modules/outreach/outreach-codes';
import {
  makeAgency,
  makeAgreement,
  makeRoutedCase,
  makeUser,
  uniqueCounty,
  type Actor,
  type RoutedCase,
} from './factories';
import type { TestHub } from './hub';

const DAY = 86_400_000;

/** A case accepted by its outreach agency, with the worker who holds it. */
export async function makeWorkedCase(
  hub: TestHub,
  options: { status?: CaseStatus; reporter?: Agency; county?: string; agreement?: boolean } = {},
): Promise<{ routed: RoutedCase; worker: Actor }> {
  const county = options.county ?? uniqueCounty();
  const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
  const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
  const routed = await makeRoutedCase(hub, {
    outreach,
    county,
    reporter: options.reporter,
    agreement: options.agreement,
    status: options.status ?? CaseStatus.ASSIGNED,
    assignedWorker: worker.user,
  });
  return { routed, worker };
}

export interface ConsentOptions {
  scope?: ConsentScope;
  grantedTo?: Agency;
  coversPolice?: boolean;
  grantedAt?: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  recordedBy: Actor;
}

/** A consent written straight to the database (any state, including expired or revoked). */
export async function makeConsent(
  hub: TestHub,
  kase: Case,
  options: ConsentOptions,
): Promise<Consent> {
  const em = hub.em();
  const consent = em.create(Consent, {
    person: kase.person!.id,
    case: kase.id,
    scope: options.scope ?? ConsentScope.CONTACT_FOR_FOLLOW_UP,
    grantedTo: (options.grantedTo ?? options.recordedBy.agency).id,
    coversPolice: options.coversPolice ?? false,
    purpose: 'Follow-up visit and referrals',
    method: ConsentMethod.WRITTEN,
    grantedAt: options.grantedAt ?? new Date(Date.now() - DAY),
    expiresAt: options.expiresAt,
    revokedAt: options.revokedAt,
    recordedById: options.recordedBy.user.id,
  });
  await em.flush();
  return consent;
}

/**
 * A county with a LEAD program and a police department under an active LEAD agreement with it,
 * and an overdose the police reported there (its case routed to an outreach agency that has
 * accepted it, so consents can be recorded on it).
 */
export interface LeadWorld {
  county: string;
  program: Agency;
  police: Agency;
  officer: Actor;
  caseManager: Actor;
  routed: RoutedCase;
  worker: Actor;
}

export async function makeLeadWorld(hub: TestHub): Promise<LeadWorld> {
  const county = uniqueCounty();
  const program = await makeAgency(hub, AgencyKind.LEAD_PROGRAM, { serviceCounties: [county] });
  const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
  await makeAgreement(hub, police, program, {
    purpose: AgreementPurpose.LEAD,
    counties: [county],
  });
  const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
  const caseManager = await makeUser(hub, Role.LEAD_CASE_MANAGER, { agency: program });
  const { routed, worker } = await makeWorkedCase(hub, { county, reporter: police });
  return { county, program, police, officer, caseManager, routed, worker };
}

/** A LEAD referral written straight to the database, as an officer's referral leaves it. */
export async function makeLeadReferral(
  hub: TestHub,
  world: LeadWorld,
  options: { status?: LeadStatus; intakeDeadline?: Date; door?: LeadDoor } = {},
): Promise<LeadReferral> {
  const em = hub.em();
  const referral = em.create(LeadReferral, {
    person: world.routed.person!.id,
    sourceIncident: world.routed.incident.id,
    program: world.program.id,
    referringAgency: world.police.id,
    referredById: world.officer.user.id,
    door: options.door ?? LeadDoor.ARREST_DIVERSION,
    status: options.status ?? LeadStatus.REFERRED,
    intakeDeadline: options.intakeDeadline ?? new Date(Date.now() + 14 * DAY),
  });
  await em.flush();
  return referral;
}
