import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound, type FieldProblem } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import { AgencyKind } from '../agency/agency-kind';
import { Agency } from '../agency/agency.entity';
import { hasActiveAgreement } from '../agency/agreement-query';
import { CaseStatus, CloseReason } from '../case/case-codes';
import { Case } from '../case/case.entity';
import { actorOf, changeCase } from '../case/workflow/case-lock';
import { closeCase } from '../case/workflow/close';
import { caseOrigin } from '../case/workflow/case-origin';
import { liftPeerContactDecline } from '../case/workflow/peer-contact';
import {
  ConsentTermsInput,
  PURPOSE_LENGTH,
  RecordConsentInput,
  REVOCATION_REASON_MAX,
} from './consent.input';
import { Consent } from './consent.entity';
import { getConsent } from './consent-read';
import type { ConsentType } from './consent.types';
import { ConsentMethod, ConsentScope } from './outreach-codes';

const CONSENT = 'Consent';

/**
 * Statuses in which the routed agency works the case with the person: accepted and not closed.
 * Consent, contact preferences and contact details are recorded only then.
 */
export const WORKING_STATUSES: readonly CaseStatus[] = [
  CaseStatus.ASSIGNED,
  CaseStatus.OUTREACH,
  CaseStatus.ON_HOLD,
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
];

/** Scopes an agency running follow-up may be named in, whatever its kind. */
const FOLLOW_UP_SCOPES: readonly ConsentScope[] = [
  ConsentScope.CONTACT_FOR_FOLLOW_UP,
  ConsentScope.CONTACT_FAMILY,
  ConsentScope.DROP_OFF_SUPPLIES,
];

/** Who may be named as receiving or acting under each scope. Never a police department. */
const GRANTEE_KINDS: Record<ConsentScope, readonly AgencyKind[]> = {
  [ConsentScope.CONTACT_FOR_FOLLOW_UP]: [AgencyKind.HARM_REDUCTION, AgencyKind.TREATMENT],
  [ConsentScope.CONTACT_FAMILY]: [AgencyKind.HARM_REDUCTION, AgencyKind.TREATMENT],
  [ConsentScope.SHARE_WITH_LEAD]: [AgencyKind.LEAD_PROGRAM],
  [ConsentScope.SHARE_WITH_TREATMENT_PROVIDER]: [AgencyKind.TREATMENT],
  [ConsentScope.DROP_OFF_SUPPLIES]: [AgencyKind.HARM_REDUCTION],
  // Any health or social-service recipient; never police, never research (which gets §2.52
  // de-identified data, not records).
  [ConsentScope.PART2_DISCLOSURE]: [
    AgencyKind.HARM_REDUCTION,
    AgencyKind.EMS,
    AgencyKind.LEAD_PROGRAM,
    AgencyKind.TREATMENT,
    AgencyKind.PUBLIC_HEALTH,
  ],
};

/**
 * Records a consent on a case the caller's agency works, for the case's person. The case is
 * locked and its version checked (so a consent is never added to a case that has since been
 * closed or changed), but not changed: a consent is a new record and overwrites nothing.
 */
export async function recordConsent(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  args: { caseId: string; version: number; input: RecordConsentInput },
): Promise<ConsentType> {
  const { input } = args;
  const problems = await termsProblems(RecordConsentInput, input, config);
  if (input.coversPolice && input.scope !== ConsentScope.SHARE_WITH_LEAD) {
    problems.push({ field: 'input.coversPolice', message: 'applies to SHARE_WITH_LEAD only' });
  }
  const grantedToId = input.grantedToAgencyId ?? viewer.agencyId;
  problems.push(...(await granteeProblems(em, input.scope, grantedToId)));
  problems.push(...part2ConsentProblems(viewer, input));
  if (problems.length > 0) throw badInput(problems);

  const id = await changeCase(em, viewer, args, async (tem, kase) => {
    const personId = await workablePerson(tem, kase);
    const consent = tem.create(Consent, {
      person: personId,
      case: kase,
      scope: input.scope,
      grantedTo: grantedToId,
      coversPolice: input.coversPolice ?? false,
      purpose: input.purpose.trim(),
      method: input.method,
      grantedAt: input.grantedAt,
      expiresAt: input.expiresAt ?? undefined,
      recordedById: actorOf(viewer)!,
    });
    // The person agreed to be contacted: a NO given at the scene no longer holds (re-engaged).
    if (input.scope === ConsentScope.CONTACT_FOR_FOLLOW_UP) {
      await liftPeerContactDecline(tem, personId, 'CONSENT_RECORDED', actorOf(viewer));
    }
    return consent.id;
  });
  return getConsent(em, id);
}

/**
 * The case's person, when the caller's agency may act for them: the case is accepted and open,
 * names a person, and identity is not sealed (a worker cannot have met a person it cannot see).
 */
export async function workablePerson(
  em: EntityManager,
  kase: Case,
  field = 'caseId',
): Promise<string> {
  if (!WORKING_STATUSES.includes(kase.status)) {
    throw badInput({
      field,
      message: `the case is ${kase.status}; this is recorded only on a case your agency has accepted and not closed`,
    });
  }
  if (!kase.person) {
    throw badInput({ field, message: 'the case names no person' });
  }
  const origin = await caseOrigin(em, kase);
  const routedAgencyId = kase.routedAgency?.id;
  // The agency's own report or referral is its own to work; another's flows under an agreement.
  if (
    !routedAgencyId ||
    (origin.agencyId !== routedAgencyId &&
      !(await hasActiveAgreement(em, origin.agencyId, routedAgencyId, kase.county)))
  ) {
    throw badInput({
      field,
      message: 'identity is sealed (no data-sharing agreement with the reporting agency)',
    });
  }
  return kase.person.id;
}

/**
 * Revokes a consent the caller holds: the outreach agency that recorded it, or the LEAD program
 * a release names. Revocation stops every disclosure that rests on it at once (LEAD identity,
 * the police "enrolled" flag), because every reader checks for a consent in force. Revoking
 * consent to follow-up also closes the case CONSENT_REVOKED if it is open.
 */
export async function revokeConsent(
  em: EntityManager,
  viewer: Viewer,
  consentId: string,
  reason: string,
): Promise<ConsentType> {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed.length < 1 || trimmed.length > REVOCATION_REASON_MAX) {
    throw badInput({
      field: 'reason',
      message: `must be 1 to ${REVOCATION_REASON_MAX} characters`,
    });
  }
  const scoped = await findHeldConsent(em, viewer, consentId);
  await em.transactional(async (tem) => {
    // The case first, as every case change does, so two changes never wait on each other.
    const kase = await tem.findOneOrFail(
      Case,
      { id: scoped.caseId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    const consent = await tem.findOneOrFail(
      Consent,
      { id: scoped.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (consent.revokedAt) {
      throw badInput({ field: 'consentId', message: 'the consent is already revoked' });
    }
    consent.revokedAt = new Date();
    consent.revocationReason = trimmed;
    if (consent.scope === ConsentScope.CONTACT_FOR_FOLLOW_UP) {
      // The one close (an already closed case is left as it is).
      await closeCase(tem, kase, { reason: CloseReason.CONSENT_REVOKED, actorId: actorOf(viewer) });
    }
    await tem.flush();
  });
  return getConsent(em, scoped.id);
}

/**
 * A consent the caller holds, or NOT_FOUND exactly as for a missing id. The holder of the record
 * is the agency whose staff recorded it (on a case routed to it); a LEAD program also holds the
 * releases that name it.
 */
async function findHeldConsent(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<{ id: string; caseId: string }> {
  let condition: string;
  let bindings: unknown[];
  if (viewer.role === Role.OUTREACH_WORKER) {
    condition = 'c.routed_agency_id = ?::uuid and u.agency_id = ?::uuid';
    bindings = [viewer.agencyId, viewer.agencyId];
  } else if (viewer.role === Role.LEAD_CASE_MANAGER) {
    condition = 'cn.scope = ?::consent_scope and cn.granted_to_id = ?::uuid';
    bindings = [ConsentScope.SHARE_WITH_LEAD, viewer.agencyId];
  } else {
    throw notFound(CONSENT);
  }
  if (!isUuid(id)) throw notFound(CONSENT);
  const rows = await em.getConnection().execute<Array<{ id: string; case_id: string }>>(
    `select cn.id, cn.case_id
       from consent cn
       join overdose_case c on c.id = cn.case_id
       left join app_user u on u.id = cn.recorded_by_id
      where cn.id = ?::uuid and ${condition}`,
    [id, ...bindings],
    'all',
    em.getTransactionContext(),
  );
  if (rows.length === 0) throw notFound(CONSENT);
  return { id: rows[0].id, caseId: rows[0].case_id };
}

/**
 * Shape, text and dates of a consent's terms, named under `input.`: purpose 3–500 characters,
 * granted not in the future (beyond clock skew), an expiry after the grant and still ahead.
 */
export async function termsProblems<T extends ConsentTermsInput>(
  InputClass: new () => T,
  input: T,
  config: ReadyConfig,
): Promise<FieldProblem[]> {
  const instance = input instanceof InputClass ? input : Object.assign(new InputClass(), input);
  const problems = await validateInput(instance, 'input');
  const failed = new Set(problems.map((p) => p.field));
  if (!failed.has('input.purpose')) {
    const length = input.purpose.trim().length;
    if (length < PURPOSE_LENGTH.min || length > PURPOSE_LENGTH.max) {
      problems.push({
        field: 'input.purpose',
        message: `must be ${PURPOSE_LENGTH.min} to ${PURPOSE_LENGTH.max} characters`,
      });
    }
  }
  const now = Date.now();
  const grantedAt = failed.has('input.grantedAt') ? undefined : input.grantedAt.getTime();
  if (grantedAt !== undefined && grantedAt > now + config.intake.clockSkewMinutes * 60_000) {
    problems.push({ field: 'input.grantedAt', message: 'must not be in the future' });
  }
  if (input.expiresAt instanceof Date && !failed.has('input.expiresAt')) {
    const expiresAt = input.expiresAt.getTime();
    if (grantedAt !== undefined && expiresAt <= grantedAt) {
      problems.push({ field: 'input.expiresAt', message: 'must be after grantedAt' });
    } else if (expiresAt <= now) {
      problems.push({ field: 'input.expiresAt', message: 'must be in the future' });
    }
  }
  return problems;
}

/** The named agency must be active and of a kind the scope allows. */
/**
 * A Part 2 consent (§2.31) is signed and names its recipient: another agency than the program
 * that records it (the program needs no consent to read its own records).
 */
function part2ConsentProblems(viewer: Viewer, input: RecordConsentInput): FieldProblem[] {
  if (input.scope !== ConsentScope.PART2_DISCLOSURE) return [];
  const problems: FieldProblem[] = [];
  if (input.method !== ConsentMethod.WRITTEN) {
    problems.push({ field: 'input.method', message: 'a PART2_DISCLOSURE consent is WRITTEN' });
  }
  if (!input.grantedToAgencyId || input.grantedToAgencyId === viewer.agencyId) {
    problems.push({
      field: 'input.grantedToAgencyId',
      message: 'a PART2_DISCLOSURE consent names the recipient agency (not your own)',
    });
  }
  return problems;
}

async function granteeProblems(
  em: EntityManager,
  scope: ConsentScope,
  agencyId: string,
): Promise<FieldProblem[]> {
  const kinds = GRANTEE_KINDS[scope] as readonly AgencyKind[] | undefined;
  if (!kinds) return []; // an unknown scope is reported by the shape check
  const agency = isUuid(agencyId) ? await em.findOne(Agency, { id: agencyId, active: true }) : null;
  if (agency && kinds.includes(agency.kind)) return [];
  // Whoever runs follow-up may be named to contact the person or their family.
  if (agency?.runsFollowUp && FOLLOW_UP_SCOPES.includes(scope)) return [];
  return [
    {
      field: 'input.grantedToAgencyId',
      message: `must be an active ${kinds.join(' or ')} agency for ${scope}`,
    },
  ];
}
