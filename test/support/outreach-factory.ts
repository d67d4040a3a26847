import { Role } from '../../src/common/role';
import { AgencyKind } from '../../src/modules/agency/agency-kind';
import type { Agency } from '../../src/modules/agency/agency.entity';
import { CaseStatus, ReferralStatus, ReferralType } from '../../src/modules/case/case-codes';
import { CaseEvent } from '../../src/modules/case/case-event.entity';
import { Case } from '../../src/modules/case/case.entity';
import { Referral } from '../../src/modules/case/referral.entity';
import { Consent } from '../../src/modules/outreach/consent.entity';
import { OutreachAttempt } from '../../src/modules/outreach/outreach-attempt.entity';
import {
  AttemptOutcome,
  ConsentMethod,
  ConsentScope,
  ContactMethod,
} from '../../src/modules/outreach/outreach-codes';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  type Actor,
  type RoutedCase,
  type RoutedCaseOptions,
} from './factories';
import type { TestHub } from './hub';
import { BACKGROUND_WORK } from './statements';

const MINUTE = 60_000;

/** A case of a fresh harm-reduction agency in `status`, assigned to one of its workers. */
export async function makeWorkedCase(
  hub: TestHub,
  status: CaseStatus = CaseStatus.ASSIGNED,
  options: RoutedCaseOptions & { outreach?: Agency } = {},
): Promise<RoutedCase & { worker: Actor }> {
  const outreach = options.outreach ?? (await makeAgency(hub, AgencyKind.HARM_REDUCTION));
  const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
  const routed = await makeRoutedCase(hub, {
    ...options,
    outreach,
    status,
    assignedWorker: worker.user,
  });
  return { ...routed, worker };
}

/** An attempt written straight to the database (no guards), oldest-first by `minutesAgo`. */
export async function makeAttempt(
  hub: TestHub,
  kase: Case,
  worker: Actor,
  overrides: Partial<Pick<OutreachAttempt, 'outcome' | 'method' | 'notes'>> & {
    minutesAgo?: number;
  } = {},
): Promise<OutreachAttempt> {
  const em = hub.em();
  const attempt = em.create(OutreachAttempt, {
    case: kase.id,
    worker: worker.user.id,
    method: overrides.method ?? ContactMethod.PHONE,
    attemptedAt: new Date(Date.now() - (overrides.minutesAgo ?? 30) * MINUTE),
    outcome: overrides.outcome ?? AttemptOutcome.NO_ANSWER,
    notes: overrides.notes,
  });
  await em.flush();
  return attempt;
}

/** A consent recorded directly (the consent mutation is another module's), in force by default. */
export async function makeConsent(
  hub: TestHub,
  kase: Case,
  grantedTo: Agency,
  recordedBy: Actor,
  overrides: Partial<Pick<Consent, 'scope' | 'expiresAt' | 'revokedAt' | 'grantedAt'>> = {},
): Promise<Consent> {
  const em = hub.em();
  const consent = em.create(Consent, {
    person: kase.person!.id,
    case: kase.id,
    scope: overrides.scope ?? ConsentScope.CONTACT_FOR_FOLLOW_UP,
    grantedTo: grantedTo.id,
    purpose: 'follow-up after the overdose',
    method: ConsentMethod.VERBAL,
    grantedAt: overrides.grantedAt ?? new Date(Date.now() - 10 * MINUTE),
    expiresAt: overrides.expiresAt,
    revokedAt: overrides.revokedAt,
    recordedById: recordedBy.user.id,
  });
  await em.flush();
  return consent;
}

/** An onward referral written directly (the referral mutation is another module's). */
export async function makeOnwardReferral(
  hub: TestHub,
  kase: Case,
  type: ReferralType = ReferralType.TREATMENT_MOUD,
  status: ReferralStatus = ReferralStatus.REQUESTED,
): Promise<Referral> {
  const em = hub.em();
  const referral = em.create(Referral, { case: kase.id, type, status });
  await em.flush();
  return referral;
}

/** What a change wrote: attempts, timeline entries and the case version, for "nothing written". */
export async function footprint(
  hub: TestHub,
  caseId: string,
): Promise<{ attempts: number; events: number; version: number; status: CaseStatus }> {
  const em = hub.em();
  const kase = await em.findOneOrFail(Case, caseId);
  return {
    attempts: await em.count(OutreachAttempt, { case: caseId }),
    events: await em.count(CaseEvent, { case: caseId }),
    version: kase.version,
    status: kase.status,
  };
}

/**
 * Counts the SQL statements the hub sends, by wrapping the connection every EntityManager fork
 * shares. Test support only: nothing in src knows about it. Background work is left out.
 */
export function countStatements(hub: TestHub): { count(): number; stop(): void } {
  const connection = hub.server.orm.em.getConnection();
  const original = connection.execute.bind(connection);
  let statements = 0;
  connection.execute = ((...args: Parameters<typeof original>) => {
    if (!BACKGROUND_WORK.test(String(args[0]))) statements++;
    return original(...args);
  }) as typeof connection.execute;
  return {
    count: () => statements,
    stop: () => {
      connection.execute = original as typeof connection.execute;
    },
  };
}
