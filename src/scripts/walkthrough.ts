import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referralStory } from './walkthrough-referral';

/**
 * Plays one survivor's story (and, in walkthrough-referral.ts, a second: a referral without a
 * 911 report to an EMS community-paramedic program) against a running hub with the demo tokens, printing what each
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
      // A new survivor on every run: a run within hours of the last would be its co-report.
      lastName: `Walkthrough${randomLetters(6)}`,
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

  await oneOverdoseOneEvent(BATCH);
  await notTodayIsNotNever(BATCH);
  await referralStory({ gql, show, codes, county: COUNTY, letters: randomLetters });

  console.log(
    failures === 0
      ? '\nThe story played as expected.'
      : `\n${failures} step(s) did not answer as expected.`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

/** Letters only (the person key ignores digits): a new survivor on every run. */
const randomLetters = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(
    '',
  );

/**
 * Issue 13 (a): police and EMS both respond to one overdose and both report it, six minutes
 * apart, naming the same survivor. One overdose is one event: one case, no repeat, counted once;
 * each reporter still reads back its own report as it entered it.
 */
async function oneOverdoseOneEvent(BATCH: string): Promise<void> {
  console.log('\n— One overdose, one event —');
  const survivor = {
    firstName: `Robin${randomLetters(8)}`,
    lastName: `Corespond${randomLetters(8)}`,
    dateOfBirth: '1985-05-05',
  };
  const at = Date.now() - 30 * 3_600_000;
  const body = (prefix: string, minutes: number, administeredBy: string) => ({
    externalId: `${prefix}-${Date.now()}-${randomLetters(6)}`,
    occurredAt: new Date(at + minutes * 60_000).toISOString(),
    county: COUNTY,
    fatal: false,
    suspectedSubstances: ['FENTANYL'],
    naloxone: [{ doseMg: 4, route: 'IN', administeredBy, response: 'IMPROVED' }],
    survivor,
  });
  const policeBody = body('WALK-A-RMS', 0, 'POLICE');
  const emsBody = body('WALK-A-PCR', 6, 'EMS');
  const police = await gql(
    'POLICE_OFFICER',
    `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { status incident { id } } }`,
    { input: policeBody },
  );
  const policeId = police.data?.reportIncident?.incident?.id as string | undefined;
  show('POLICE_OFFICER', 'reports an overdose at T, naming the survivor', police.data, !!policeId);
  const ems = await gql('EMS_PROVIDER', BATCH, { inputs: [emsBody] });
  const emsId = ems.data?.reportIncidents?.items?.[0]?.incident?.id as string | undefined;
  show('EMS_PROVIDER', 'reports the same survivor at T + 6 min', ems.data, !!emsId);

  const from = new Date(at - 60_000).toISOString();
  const to = new Date(at + 60 * 60_000).toISOString();
  const found = await gql(
    'OUTREACH_WORKER',
    `query($from: DateTimeISO!, $to: DateTimeISO!) {
      cases(filter: { occurredFrom: $from, occurredTo: $to }, first: 100) { edges { node {
        id repeatOverdose indexIncident { id } event { sourceReportCount naloxoneAdministrations { doseMg } }
        outcomes { type } } } } }`,
    { from, to },
  );
  type Row = {
    id: string;
    repeatOverdose: boolean;
    indexIncident: { id: string };
    event: { sourceReportCount: number; naloxoneAdministrations: unknown[] };
    outcomes: Array<{ type: string }>;
  };
  const ours = ((found.data?.cases?.edges as Array<{ node: Row }> | undefined) ?? [])
    .map((e) => e.node)
    .filter((n) => n.indexIncident.id === policeId || n.indexIncident.id === emsId);
  show(
    'OUTREACH_WORKER',
    'sees one case with two source reports and both doses, no repeat overdose',
    ours,
    ours.length === 1 &&
      ours[0].event.sourceReportCount === 2 &&
      ours[0].event.naloxoneAdministrations.length === 2 &&
      !ours[0].repeatOverdose &&
      !ours[0].outcomes.some((o) => o.type === 'REPEAT_OVERDOSE'),
  );

  const own = `query($id: ID!) { incident(id: $id) { externalId reportedIdentity { lastName } } }`;
  for (const [role, id, sent] of [
    ['POLICE_OFFICER', policeId, policeBody],
    ['EMS_PROVIDER', emsId, emsBody],
  ] as const) {
    const read = await gql(role, own, { id });
    show(
      role,
      'reads back its own report as it entered it',
      read.data,
      read.data?.incident?.externalId === sent.externalId &&
        read.data?.incident?.reportedIdentity?.lastName === survivor.lastName,
    );
  }
}

/**
 * Issue 13 (c): "not today" is not "never". A survivor declines services; five weeks later they
 * overdose again and the case is routed as usual, showing the decline. They then ask not to be
 * contacted: their next overdose is on file for the agency (visible, counted, attempts refused).
 * A fatal report closes DECEASED.
 */
async function notTodayIsNotNever(BATCH: string): Promise<void> {
  console.log('\n— "Not today" is not "never" —');
  const survivor = {
    firstName: `Sam${randomLetters(8)}`,
    lastName: `Later${randomLetters(8)}`,
    dateOfBirth: '1988-03-03',
  };
  const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
  const reportAt = async (occurredAt: string, fatal = false) => {
    const posted = await gql('EMS_PROVIDER', BATCH, {
      inputs: [
        {
          externalId: `WALK-C-${Date.now()}-${randomLetters(6)}`,
          occurredAt,
          county: COUNTY,
          fatal,
          suspectedSubstances: ['FENTANYL'],
          naloxone: [],
          survivor,
        },
      ],
    });
    const id = posted.data?.reportIncidents?.items?.[0]?.incident?.id as string | undefined;
    return { id, occurredAt };
  };
  /** The case of a report, found among the agency's cases of that overdose time. */
  const caseOf = async (reported: { id?: string; occurredAt: string }) => {
    const to = new Date(new Date(reported.occurredAt).getTime() + 1000).toISOString();
    const found = await gql(
      'OUTREACH_WORKER',
      `query($from: DateTimeISO!, $to: DateTimeISO!) {
        cases(filter: { occurredFrom: $from, occurredTo: $to }, first: 100) {
        edges { node { id version status closeReason declinedServicesOn indexIncident { id } } } } }`,
      { from: reported.occurredAt, to },
    );
    const incidentId = reported.id;
    type Row = {
      id: string;
      version: number;
      status: string;
      closeReason: string | null;
      declinedServicesOn: string | null;
      indexIncident: { id: string };
    };
    return (found.data?.cases?.edges as Array<{ node: Row }> | undefined)?.find(
      (e) => e.node.indexIncident.id === incidentId,
    )?.node;
  };
  const act = (mutation: string, variables: Record<string, unknown>) =>
    gql('OUTREACH_WORKER', mutation, variables);
  const declineVisit = async (id: string, version: number) => {
    const accepted = await act(
      `mutation($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { version } }`,
      { id, v: version },
    );
    const attempt = await act(
      `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) {
        logOutreachAttempt(caseId: $id, version: $v, input: $input) { version } }`,
      {
        id,
        v: accepted.data?.acceptCase?.version,
        input: {
          method: 'VISIT',
          attemptedAt: new Date().toISOString(),
          outcome: 'CONTACT_SURVIVOR_DECLINED',
          officerPresence: 'NONE',
          naloxoneKitsForPerson: 1,
        },
      },
    );
    return attempt.data?.logOutreachAttempt?.version as number;
  };

  const first = await caseOf(await reportAt(daysAgo(36)));
  if (!first) {
    show('OUTREACH_WORKER', 'receives the first case', null, false);
    return;
  }
  const v1 = await declineVisit(first.id, first.version);
  const declined = await act(
    `mutation($id: ID!, $v: Int!) { closeCase(caseId: $id, version: $v, reason: DECLINED_SERVICES) { status closeReason } }`,
    { id: first.id, v: v1 },
  );
  show(
    'OUTREACH_WORKER',
    '"not ready today, maybe next month": closes DECLINED_SERVICES',
    declined.data ?? codes(declined),
    declined.data?.closeCase?.closeReason === 'DECLINED_SERVICES',
  );

  const second = await caseOf(await reportAt(daysAgo(1)));
  show(
    'OUTREACH_WORKER',
    'five weeks later: the new overdose is REFERRED, showing "declined services on …"',
    second,
    second?.status === 'REFERRED' && Boolean(second.declinedServicesOn),
  );
  if (!second) return;
  const v2 = await declineVisit(second.id, second.version);
  const wish = await act(
    `mutation($id: ID!, $v: Int!) { recordDoNotContact(caseId: $id, version: $v) { status } }`,
    { id: second.id, v: v2 },
  );
  show(
    'OUTREACH_WORKER',
    'the person says "don\'t contact me": recorded',
    wish.data ?? codes(wish),
    !wish.errors,
  );

  const thirdReport = await reportAt(daysAgo(0.1));
  const third = await caseOf(thirdReport);
  show(
    'OUTREACH_WORKER',
    'the next overdose is on file: DO_NOT_CONTACT_ON_FILE, not a silent close',
    third,
    third?.status === 'DO_NOT_CONTACT_ON_FILE',
  );
  const counted = await gql(
    'AGENCY_ADMIN',
    `{ cases(filter: { status: [DO_NOT_CONTACT_ON_FILE] }) { totalCount } }`,
  );
  show(
    'AGENCY_ADMIN',
    'counts the cases on file',
    counted.data,
    (counted.data?.cases?.totalCount ?? 0) >= 1,
  );
  const refused = await act(
    `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) {
      logOutreachAttempt(caseId: $id, version: $v, input: $input) { status } }`,
    {
      id: third?.id,
      v: third?.version,
      input: { method: 'PHONE', attemptedAt: new Date().toISOString(), outcome: 'NO_ANSWER' },
    },
  );
  show(
    'OUTREACH_WORKER',
    'an attempt on it is refused',
    codes(refused),
    codes(refused).join() === 'logOutreachAttempt BAD_USER_INPUT',
  );

  // The agency offers support to families after a death (an opt-in of its own admin).
  const optedIn = await gql(
    'AGENCY_ADMIN',
    'mutation { setFamilySupport(offers: true) { offersFamilySupport } }',
  );
  show(
    'AGENCY_ADMIN',
    'opts the agency in to family support after a death',
    optedIn.data ?? codes(optedIn),
    optedIn.data?.setFamilySupport?.offersFamilySupport === true,
  );
  const death = await reportAt(daysAgo(0.05), true);
  const after = await caseOf(thirdReport);
  show(
    'OUTREACH_WORKER',
    'a fatal report: the case on file closes DECEASED',
    after,
    after?.status === 'CLOSED' && after.closeReason === 'DECEASED',
  );
  const families = await gql(
    'OUTREACH_WORKER',
    'query { familySupportCases(first: 100) { id occurredAt county } }',
  );
  const family = (
    (families.data?.familySupportCases ?? []) as Array<{ occurredAt: string; county: string }>
  ).find((c) =>
    // The death, reported an hour after the overdose on file, is a co-report of it: one event,
    // whose time is the first report's.
    [thirdReport.occurredAt, death.occurredAt].some(
      (at) => new Date(c.occurredAt).getTime() === new Date(at).getTime(),
    ),
  );
  show(
    'OUTREACH_WORKER',
    'the death opens a family-support case at the opted-in agency',
    family ?? codes(families),
    family?.county === COUNTY,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
