import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Plays one survivor's story against a running hub with the demo tokens, printing what each
 * agency sees: `npm start` in one terminal, `npm run walkthrough` in another. It reads the URL
 * and tokens that `npm start` wrote to DATA_DIR/demo-tokens.json. Exits non-zero when the hub
 * answers something other than the story expects.
 */
interface Answer {
  data?: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
}

const file =
  process.env.WALKTHROUGH_TOKENS ?? join(process.env.DATA_DIR ?? './data', 'demo-tokens.json');
const { url, tokens } = JSON.parse(readFileSync(file, 'utf8')) as {
  url: string;
  tokens: Record<string, string>;
};
const COUNTY = '37021';

async function gql(
  role: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer> {
  const response = await fetch(process.env.HUB_URL ?? url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

let failures = 0;
function show(role: string, what: string, answer: unknown, ok: boolean): void {
  if (!ok) failures++;
  console.log(`${ok ? '✓' : '✗'} ${role.padEnd(17)} ${what}\n    ${JSON.stringify(answer)}`);
}
const codes = (a: Answer) =>
  (a.errors ?? []).map((e) => `${e.path?.join('.') ?? ''} ${e.extensions?.code}`);

async function main(): Promise<void> {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const report = {
    externalId: `WALK-${Date.now()}`,
    occurredAt: hoursAgo(26),
    county: COUNTY,
    address: { street: '1 Demo Way', city: 'Asheville', state: 'NC', zip: '28801' },
    fatal: false,
    suspectedSubstances: ['FENTANYL'],
    naloxone: [
      {
        administeredAt: hoursAgo(26),
        doseMg: 4,
        route: 'IN',
        administeredBy: 'EMS',
        response: 'IMPROVED',
      },
    ],
    emsDisposition: 'REFUSED_TRANSPORT',
    survivor: {
      firstName: 'Jamie',
      lastName: 'Walkthrough',
      dateOfBirth: '1990-01-01',
      phone: '828-555-0100',
    },
  };
  const BATCH = `mutation($inputs: [ReportIncidentInput!]!) { reportIncidents(inputs: $inputs) {
    createdCount alreadyReportedCount items { status incident { id } errors { field message } } } }`;

  const posted = await gql('EMS_PROVIDER', BATCH, { inputs: [report] });
  const incidentId = posted.data?.reportIncidents?.items?.[0]?.incident?.id as string;
  show(
    'EMS_PROVIDER',
    'reports a naloxone reversal (batch of one)',
    posted.data,
    Boolean(incidentId),
  );
  const again = await gql('EMS_PROVIDER', BATCH, { inputs: [report] });
  show(
    'EMS_PROVIDER',
    're-posts the same batch: nothing changes',
    again.data,
    again.data?.reportIncidents?.alreadyReportedCount === 1,
  );

  const police = await gql(
    'POLICE_OFFICER',
    `query($id: ID!) { incident(id: $id) { id } cases { totalCount } }`,
    { id: incidentId },
  );
  show(
    'POLICE_OFFICER',
    'asks for the EMS incident and the case list',
    codes(police),
    codes(police).sort().join() === 'cases FORBIDDEN,incident NOT_FOUND',
  );

  const queue = await gql(
    'OUTREACH_WORKER',
    `{ cases(filter: { status: [REFERRED] }, first: 100) { edges { node {
    id version followUpOpensAt followUpDueAt identitySealed indexIncident { id substanceCategories emsDisposition }
    person { firstName lastName phone } } } } }`,
  );
  type Node = { id: string; version: number; indexIncident: { id: string } };
  const node = (queue.data?.cases?.edges as Array<{ node: Node }> | undefined)?.find(
    (e) => e.node.indexIncident.id === incidentId,
  )?.node;
  show(
    'OUTREACH_WORKER',
    'sees the routed case with identity and its 24–72 h window',
    node,
    Boolean(node),
  );
  if (!node) throw new Error('the case did not reach the outreach queue');
  const caseId = node.id;

  const admin = await gql(
    'AGENCY_ADMIN',
    `query($id: ID!) { case(id: $id) { status overdue person { lastName } } }`,
    { id: caseId },
  );
  show(
    'AGENCY_ADMIN',
    'sees the queue entry but not the person',
    { data: admin.data, errors: codes(admin) },
    codes(admin).join() === 'case.person FORBIDDEN',
  );

  let version = node.version;
  const change = async (
    role: string,
    what: string,
    mutation: string,
    variables: Record<string, unknown>,
    check: (a: Answer) => boolean,
  ) => {
    const answer = await gql(role, mutation, { id: caseId, v: version, ...variables });
    show(
      role,
      what,
      answer.errors ? codes(answer).concat(answer.errors.map((e) => e.message)) : answer.data,
      !answer.errors && check(answer),
    );
    const now = await gql('OUTREACH_WORKER', `query($id: ID!) { case(id: $id) { version } }`, {
      id: caseId,
    });
    version = now.data?.case?.version ?? version;
    return answer;
  };

  await change(
    'OUTREACH_WORKER',
    'accepts the case',
    `mutation($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { status } }`,
    {},
    (a) => a.data?.acceptCase?.status === 'ASSIGNED',
  );
  const ATTEMPT = `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) { logOutreachAttempt(caseId: $id, version: $v, input: $input) { status attemptCount } }`;
  await change(
    'OUTREACH_WORKER',
    'calls: no answer',
    ATTEMPT,
    { input: { method: 'PHONE', attemptedAt: new Date().toISOString(), outcome: 'NO_ANSWER' } },
    (a) => a.data?.logOutreachAttempt?.status === 'OUTREACH',
  );
  await change(
    'OUTREACH_WORKER',
    'visits (no officer): reached, leaves naloxone and test strips',
    ATTEMPT,
    {
      input: {
        method: 'VISIT',
        attemptedAt: new Date().toISOString(),
        outcome: 'CONTACT_SURVIVOR_ENGAGED',
        officerPresence: 'NONE',
        teamPresent: ['PEER_SUPPORT_SPECIALIST'],
        naloxoneKitsForPerson: 2,
        naloxoneKitsForFamily: 1,
        fentanylTestStrips: 10,
        peerSupportContactCard: true,
      },
    },
    (a) => a.data?.logOutreachAttempt?.attemptCount === 2,
  );

  const lead = await gql('LEAD_CASE_MANAGER', `{ me { agency { id name } } }`);
  const programId = lead.data?.me?.agency?.id as string;
  const CONSENT = `mutation($id: ID!, $v: Int!, $input: RecordConsentInput!) { recordConsent(caseId: $id, version: $v, input: $input) { scope inForce } }`;
  const consent = {
    method: 'VERBAL',
    grantedAt: new Date().toISOString(),
    purpose: 'post-overdose follow-up and LEAD',
  };
  await change(
    'OUTREACH_WORKER',
    'records consent to follow-up',
    CONSENT,
    { input: { ...consent, scope: 'CONTACT_FOR_FOLLOW_UP' } },
    (a) => a.data?.recordConsent?.inForce === true,
  );
  await change(
    'OUTREACH_WORKER',
    'records a release to the LEAD program',
    CONSENT,
    { input: { ...consent, scope: 'SHARE_WITH_LEAD', grantedToAgencyId: programId } },
    (a) => a.data?.recordConsent?.inForce === true,
  );
  await change(
    'OUTREACH_WORKER',
    'marks the case ENGAGED',
    `mutation($id: ID!, $v: Int!) { markCaseEngaged(caseId: $id, version: $v) { status } }`,
    {},
    (a) => a.data?.markCaseEngaged?.status === 'ENGAGED',
  );

  const referred = await gql(
    'OUTREACH_WORKER',
    `mutation($input: ReferToLeadInput!) { referToLead(input: $input) { id door } }`,
    { input: { caseId, door: 'COMMUNITY', programId } },
  );
  show(
    'OUTREACH_WORKER',
    'refers the person to LEAD',
    referred.data ?? codes(referred),
    Boolean(referred.data?.referToLead?.id),
  );
  const cm = await gql(
    'LEAD_CASE_MANAGER',
    `query($id: ID!) { leadReferral(id: $id) { status intakeDeadline person { firstName lastName } } }`,
    { id: referred.data?.referToLead?.id },
  );
  show(
    'LEAD_CASE_MANAGER',
    'sees the referral and, under the release, the person',
    cm.data,
    Boolean(cm.data?.leadReferral?.person),
  );

  const clinics = await gql(
    'OUTREACH_WORKER',
    `{ resources(filter: { moud: BUPRENORPHINE, paymentAccepted: [NO_PAYMENT, SLIDING_SCALE] }) { edges { node { id name typicalCost openNow } } } }`,
  );
  const clinic = clinics.data?.resources?.edges?.[0]?.node;
  show(
    'OUTREACH_WORKER',
    'finds buprenorphine an uninsured person can use, in the next county',
    clinic,
    Boolean(clinic),
  );
  await change(
    'OUTREACH_WORKER',
    'refers to that clinic',
    `mutation($id: ID!, $v: Int!, $input: ServiceReferralInput!) { createServiceReferral(caseId: $id, version: $v, input: $input) { type status } }`,
    { input: { type: 'TREATMENT_MOUD', toResourceId: clinic?.id } },
    (a) => a.data?.createServiceReferral?.status === 'REQUESTED',
  );
  await change(
    'OUTREACH_WORKER',
    'marks the case LINKED',
    `mutation($id: ID!, $v: Int!) { markCaseLinked(caseId: $id, version: $v) { status } }`,
    {},
    (a) => a.data?.markCaseLinked?.status === 'LINKED',
  );
  await change(
    'OUTREACH_WORKER',
    'records MOUD started',
    `mutation($id: ID!, $v: Int!, $input: OutcomeInput!) { recordOutcome(caseId: $id, version: $v, input: $input) { type moudType } }`,
    {
      input: {
        type: 'MOUD_STARTED',
        moudType: 'BUPRENORPHINE',
        occurredAt: new Date().toISOString(),
      },
    },
    (a) => a.data?.recordOutcome?.type === 'MOUD_STARTED',
  );
  const closed = await change(
    'OUTREACH_WORKER',
    'closes the case: linked to care',
    `mutation($id: ID!, $v: Int!) { closeCase(caseId: $id, version: $v, reason: LINKED_TO_CARE) { status closeReason timeline { toStatus } } }`,
    {},
    (a) => a.data?.closeCase?.status === 'CLOSED',
  );
  void closed;

  const feedback = await gql(
    'EMS_PROVIDER',
    `query($y: Int!) { myReferralFeedback(year: $y) { total { reported { value suppressed } reached { value suppressed } engaged { value suppressed } } } }`,
    { y: new Date().getUTCFullYear() },
  );
  show(
    'EMS_PROVIDER',
    'learns what came of its reports, as suppressed counts only',
    feedback.data,
    Boolean(feedback.data?.myReferralFeedback),
  );
  const analyst = await gql('ANALYST', `query($id: ID!) { case(id: $id) { id } }`, { id: caseId });
  show('ANALYST', 'asks for the case', codes(analyst), codes(analyst).join() === 'case FORBIDDEN');

  console.log(
    failures === 0
      ? '\nThe story played as expected.'
      : `\n${failures} step(s) did not answer as expected.`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
