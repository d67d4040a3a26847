import type { EntityManager } from '@mikro-orm/postgresql';
import { lockedChange } from '../../common/optimistic-lock';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import { decodeCursor, toPage } from '../../common/cursor';
import { pageSize, type Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound, type FieldProblem } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import { AgencyKind } from '../agency/agency-kind';
import { Agency } from '../agency/agency.entity';
import { AgreementPurpose } from '../agency/agreement-codes';
import { hasActiveAgreement } from '../agency/agreement-query';
import { User } from '../agency/user.entity';
import { actorOf, findCaseInScope } from '../case/workflow/case-lock';
import { Case } from '../case/case.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { personKey } from '../person/person-key';
import { Person } from '../person/person.entity';
import { Consent } from '../outreach/consent.entity';
import { LeadReleaseInput } from '../outreach/consent.input';
import { hasConsentInForce } from '../outreach/consent-query';
import { termsProblems, workablePerson } from '../outreach/consent.service';
import { ConsentScope } from '../outreach/outreach-codes';
import { LeadDoor, LeadStatus } from './lead-codes';
import type {
  AssignLeadCaseManagerArgs,
  LeadChangeArgs,
  LeadReferralsArgs,
  UpdateLeadStatusArgs,
} from './lead.input';
import { LeadSubjectInput, ReferToLeadInput } from './lead.input';
import { LeadReferral } from './lead-referral.entity';
import { queryLeadFlags, queryLeadReferrals } from './lead-query';
import type { LeadReferralFlagType, LeadReferralType } from './lead.types';

const LEAD_REFERRAL = 'LEAD referral';
const STALE = 'The LEAD referral was changed by someone else; reload it and try again';
const DAY = 86_400_000;

const { REFERRED, INTAKE_PENDING, ACTIVE, INACTIVE, EXITED } = LeadStatus;

/** domain.md §5.2, LEAD sub-track: where each status may go. Any open status may exit. */
export const LEAD_TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  [REFERRED]: [INTAKE_PENDING, EXITED],
  [INTAKE_PENDING]: [ACTIVE, EXITED],
  [ACTIVE]: [INACTIVE, EXITED],
  [INACTIVE]: [ACTIVE, EXITED],
  [EXITED]: [],
};

/** Which doors each referring role may use (an officer's, or the community's). */
const DOORS: Partial<Record<Role, readonly LeadDoor[]>> = {
  [Role.POLICE_OFFICER]: [LeadDoor.ARREST_DIVERSION, LeadDoor.SOCIAL_CONTACT],
  [Role.OUTREACH_WORKER]: [LeadDoor.COMMUNITY, LeadDoor.SOCIAL_CONTACT],
};

export async function getLeadReferral(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<LeadReferralType> {
  const { rows } = isUuid(id)
    ? await queryLeadReferrals(em, viewer, { id, limit: 1 })
    : { rows: [] };
  if (rows.length === 0) throw notFound(LEAD_REFERRAL);
  return rows[0];
}

export async function listLeadReferrals(
  em: EntityManager,
  viewer: Viewer,
  args: LeadReferralsArgs,
): Promise<Page<LeadReferralType>> {
  const size = pageSize(args.first);
  const after = decodeCursor('leadReferrals', args.after);
  const { rows, totalCount } = await queryLeadReferrals(em, viewer, {
    filter: args.filter,
    after,
    limit: size + 1,
  });
  return toPage('leadReferrals', rows, size, totalCount, (r) => ({
    at: r.intakeDeadline,
    id: r.id,
  }));
}

export async function listLeadFlags(
  em: EntityManager,
  viewer: Viewer,
  args: { first?: number; after?: string },
): Promise<Page<LeadReferralFlagType>> {
  const size = pageSize(args.first);
  const after = decodeCursor('leadFlags', args.after);
  const { rows, totalCount } = await queryLeadFlags(em, viewer, { after, limit: size + 1 });
  return toPage('leadFlags', rows, size, totalCount, (r) => ({ at: r.createdAt, id: r.id }));
}

/**
 * Opens a LEAD track. A police officer refers from an incident of their own agency, under an
 * active LEAD data-sharing agreement with the program; an outreach worker from a case their
 * agency works. The referrer gets back only what the flag type shows: nothing downstream.
 */
export async function referToLead(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: ReferToLeadInput,
): Promise<LeadReferralFlagType> {
  const instance =
    input instanceof ReferToLeadInput ? input : Object.assign(new ReferToLeadInput(), input);
  const problems = await validateInput(instance, 'input');
  problems.push(...doorProblems(viewer, input));
  if (problems.length > 0) throw badInput(problems);

  const source =
    viewer.role !== Role.POLICE_OFFICER
      ? await fromCase(em, viewer, input.caseId!)
      : input.incidentId
        ? await fromIncident(em, viewer, input.incidentId)
        : { county: input.county! };
  const programProblems = await programCheck(em, viewer, input.programId, source.county);
  if (programProblems.length > 0) throw badInput(programProblems);

  const referral = em.create(LeadReferral, {
    person: source.personId,
    case: source.caseId,
    sourceIncident: source.incidentId,
    program: input.programId,
    referringAgency: viewer.agencyId,
    referredById: actorOf(viewer)!,
    door: input.door,
    intakeDeadline: new Date(Date.now() + config.lead.intakeDays * DAY),
    county: source.county,
    ...subjectData(input.subject),
  });
  await em.flush();
  const { rows } = await queryLeadFlags(em, viewer, { id: referral.id, limit: 1 });
  return rows[0];
}

/** The officer's subject fields as stored (trimmed; empty strings are no value). */
function subjectData(subject: LeadSubjectInput | null | undefined) {
  const text = (value: string | null | undefined) => value?.trim() || undefined;
  return {
    subjectFirstName: text(subject?.firstName),
    subjectLastName: text(subject?.lastName),
    subjectDateOfBirth: subject?.dateOfBirth ?? undefined,
    whereToFind: text(subject?.whereToFind),
    contact: text(subject?.contact),
  };
}

function doorProblems(viewer: Viewer, input: ReferToLeadInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const doors = DOORS[viewer.role] ?? [];
  if (input.door && !doors.includes(input.door)) {
    problems.push({ field: 'input.door', message: `must be ${doors.join(' or ')} for your role` });
  }
  if (viewer.role === Role.POLICE_OFFICER) {
    if (input.caseId) {
      problems.push({
        field: 'input.caseId',
        message: 'must be left out: police refer from their own incident or from what they know',
      });
    }
    if (input.incidentId && input.county) {
      problems.push({
        field: 'input.county',
        message: "must be left out with an incident: the incident's county is used",
      });
    }
    if (!input.incidentId) {
      // LEAD without an overdose (social contact, arrest diversion for a low-level offence):
      // the officer names the person and the county the referral is for.
      if (!input.county) {
        problems.push({ field: 'input.county', message: 'is required without an incident' });
      }
      if (!input.subject?.firstName?.trim() && !input.subject?.lastName?.trim()) {
        problems.push({
          field: 'input.subject',
          message: 'needs a first or last name without an incident',
        });
      }
    }
    return problems;
  }
  if (!input.caseId) problems.push({ field: 'input.caseId', message: 'is required' });
  for (const refused of ['incidentId', 'subject', 'county'] as const) {
    if (input[refused]) {
      problems.push({
        field: `input.${refused}`,
        message: 'must be left out: outreach refers from a case',
      });
    }
  }
  return problems;
}

interface LeadSource {
  personId?: string;
  county: string;
  incidentId?: string;
  caseId?: string;
}

/** The officer's own agency's incident (anything else answers like a missing id). */
async function fromIncident(em: EntityManager, viewer: Viewer, id: string): Promise<LeadSource> {
  const incident = isUuid(id)
    ? await em.findOne(OverdoseIncident, { id, reportingAgency: viewer.agencyId })
    : null;
  if (!incident) throw notFound('Incident');
  const problems: FieldProblem[] = [];
  if (incident.fatal) {
    problems.push({ field: 'input.incidentId', message: 'the overdose was fatal' });
  }
  if (!incident.person) {
    problems.push({ field: 'input.incidentId', message: 'the report names no one' });
  }
  if (problems.length > 0) throw badInput(problems);
  return { personId: incident.person!.id, county: incident.county, incidentId: incident.id };
}

/** A case the worker's agency has accepted, with an identified person it may see. */
async function fromCase(em: EntityManager, viewer: Viewer, id: string): Promise<LeadSource> {
  const kase = await findCaseInScope(em, viewer, id);
  if (!kase) throw notFound('Case');
  const personId = await workablePerson(em, kase, 'input.caseId');
  return { personId, county: kase.county, caseId: kase.id };
}

/**
 * The program must be an active LEAD program serving the county. Police also need an active
 * LEAD data-sharing agreement with it for the county: that is the MOU under which an officer's
 * report may reach the program at all.
 */
async function programCheck(
  em: EntityManager,
  viewer: Viewer,
  programId: string,
  county: string,
): Promise<FieldProblem[]> {
  const program = isUuid(programId)
    ? await em.findOne(Agency, { id: programId, kind: AgencyKind.LEAD_PROGRAM, active: true })
    : null;
  if (!program || !program.serviceCounties.includes(county)) {
    return [
      { field: 'input.programId', message: 'must be an active LEAD program serving the county' },
    ];
  }
  if (
    viewer.role === Role.POLICE_OFFICER &&
    !(await hasActiveAgreement(em, viewer.agencyId, programId, county, AgreementPurpose.LEAD))
  ) {
    return [
      {
        field: 'input.programId',
        message: 'your agency has no active LEAD data-sharing agreement with it for the county',
      },
    ];
  }
  return [];
}

/**
 * Runs one change of a LEAD referral in one transaction: found in the caller's program and
 * locked, the caller's version still current, the version column guarding the flush.
 */
async function changeLead<T>(
  em: EntityManager,
  viewer: Viewer,
  args: LeadChangeArgs,
  change: (tem: EntityManager, lead: LeadReferral) => Promise<T>,
): Promise<T> {
  if (!isUuid(args.id)) throw notFound(LEAD_REFERRAL);
  return lockedChange(
    em,
    {
      load: (tem, lock) =>
        tem.findOne(LeadReferral, { id: args.id, program: viewer.agencyId }, lock),
      version: args.version,
      stale: STALE,
      missing: () => notFound(LEAD_REFERRAL),
    },
    change,
  );
}

/** The case manager moves the track along; ACTIVE needs the person's release to the program. */
export async function updateLeadStatus(
  em: EntityManager,
  viewer: Viewer,
  args: UpdateLeadStatusArgs,
): Promise<LeadReferralType> {
  if (args.status === EXITED && !args.exitReason) {
    throw badInput({ field: 'exitReason', message: 'is required to exit' });
  }
  if (args.status !== EXITED && args.exitReason) {
    throw badInput({
      field: 'exitReason',
      message: 'is given only when the status becomes EXITED',
    });
  }
  await changeLead(em, viewer, args, async (tem, lead) => {
    const current: LeadStatus = lead.status;
    const allowed = LEAD_TRANSITIONS[current];
    if (!allowed.includes(args.status)) {
      throw badInput({
        field: 'status',
        message: `the referral is ${current} and cannot become ${args.status}; allowed next: ${
          allowed.length > 0 ? allowed.join(', ') : 'none'
        }`,
      });
    }
    if (
      args.status === ACTIVE &&
      !(
        lead.person &&
        (await hasConsentInForce(
          tem,
          lead.person.id,
          ConsentScope.SHARE_WITH_LEAD,
          lead.program.id,
        ))
      )
    ) {
      throw badInput({
        field: 'status',
        message: 'ACTIVE needs a release (SHARE_WITH_LEAD consent) naming the program in force',
      });
    }
    lead.status = args.status;
    // Intake is complete when the track first becomes ACTIVE: the referrer's one signal.
    if (args.status === ACTIVE && !lead.intakeCompletedAt) lead.intakeCompletedAt = new Date();
    if (args.status === EXITED) {
      lead.exitReason = args.exitReason;
      lead.exitedAt = new Date();
    }
  });
  return getLeadReferral(em, viewer, args.id);
}

/** An agency admin of the program assigns a case manager; a case manager may claim it. */
export async function assignLeadCaseManager(
  em: EntityManager,
  viewer: Viewer,
  args: AssignLeadCaseManagerArgs,
): Promise<LeadReferralType> {
  await changeLead(em, viewer, args, async (tem, lead) => {
    if (lead.status === EXITED) {
      throw badInput({ field: 'id', message: 'the referral has exited' });
    }
    lead.caseManager = tem.getReference(User, await chooseCaseManager(tem, viewer, args.userId), {
      wrapped: true,
    });
  });
  return getLeadReferral(em, viewer, args.id);
}

async function chooseCaseManager(
  em: EntityManager,
  viewer: Viewer,
  userId: string,
): Promise<string> {
  if (viewer.role === Role.LEAD_CASE_MANAGER) {
    if (userId !== viewer.userId) {
      throw badInput({
        field: 'userId',
        message: 'a case manager can only claim a referral for themselves',
      });
    }
    return userId;
  }
  // One answer for every failure, so the check cannot probe other agencies' staff.
  const user = isUuid(userId)
    ? await em.findOne(User, {
        id: userId,
        agency: viewer.agencyId,
        role: Role.LEAD_CASE_MANAGER,
        active: true,
      })
    : null;
  if (!user) {
    throw badInput({
      field: 'userId',
      message: 'must be an active LEAD case manager of your program',
    });
  }
  return user.id;
}

/**
 * A police referral made without an overdose names the person only on the referral. When the
 * person signs the release at intake they are linked to a person: the same one (by person key)
 * if the hub knows them, otherwise a new entry. The values the officer gave stay on the referral,
 * with their source (identity follows its sources: the person row carries no name or birth date).
 */
async function personOfReferral(
  em: EntityManager,
  config: ReadyConfig,
  lead: LeadReferral,
): Promise<string | undefined> {
  const firstName = lead.subjectFirstName;
  const lastName = lead.subjectLastName;
  if (!firstName && !lastName) return undefined;
  const key = config.personKeySecret
    ? personKey(config.personKeySecret, firstName, lastName, lead.subjectDateOfBirth)
    : null;
  const person =
    (key ? await em.findOne(Person, { personKey: key }) : null) ??
    em.create(Person, { personKey: key ?? undefined });
  lead.person = em.getReference(Person, person.id, { wrapped: true });
  return person.id;
}

/**
 * The case manager records the release the person signed at intake: SHARE_WITH_LEAD, naming
 * the program. It is filed on the referral's case (for a police referral, the case of the
 * officer's incident) but held by the program: the outreach agency does not see it.
 */
export async function recordLeadRelease(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  args: LeadChangeArgs & { input: LeadReleaseInput },
): Promise<LeadReferralType> {
  const { input } = args;
  const problems = await termsProblems(LeadReleaseInput, input, config);
  if (problems.length > 0) throw badInput(problems);
  await changeLead(em, viewer, args, async (tem, lead) => {
    if (lead.status === EXITED) {
      throw badInput({ field: 'id', message: 'the referral has exited' });
    }
    const caseId =
      lead.case?.id ??
      (lead.sourceIncident
        ? (await tem.findOne(Case, { indexIncident: lead.sourceIncident.id }, { fields: ['id'] }))
            ?.id
        : undefined);
    const personId = lead.person?.id ?? (await personOfReferral(tem, config, lead));
    if (!personId) {
      throw badInput({ field: 'id', message: 'the referral names no person' });
    }
    tem.create(Consent, {
      person: personId,
      case: caseId,
      scope: ConsentScope.SHARE_WITH_LEAD,
      grantedTo: lead.program.id,
      coversPolice: input.coversPolice ?? false,
      purpose: input.purpose.trim(),
      method: input.method,
      grantedAt: input.grantedAt,
      expiresAt: input.expiresAt ?? undefined,
      recordedById: actorOf(viewer)!,
    });
  });
  return getLeadReferral(em, viewer, args.id);
}
