/**
 * More doors in (issue 14 point 2). A community reversal reported by a peer worker, then the
 * walkthrough's second story: a community paramedic of an EMS-run program (an EMS
 * agency running follow-up) receives a referral from an emergency department — no 911 report —
 * reaches the person, refers them to a clinic under a SHARE_WITH_TREATMENT_PROVIDER consent, and
 * the clinic confirms admission. Played by walkthrough.ts with its helpers.
 */
interface Answer {
  data?: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
}

export interface Play {
  gql(role: string, query: string, variables?: Record<string, unknown>): Promise<Answer>;
  show(role: string, what: string, answer: unknown, ok: boolean): void;
  codes(answer: Answer): string[];
  county: string;
  letters(n: number): string;
}

const PARAMEDIC = 'COMMUNITY_PARAMEDIC';
const CLINIC = 'TREATMENT_PROVIDER';

export async function referralStory(play: Play): Promise<void> {
  await communityReversal(play);
  await edReferral(play);
}

/**
 * Another door in: a peer worker reports a reversal they saw in the community (a peer gave the
 * naloxone; nobody named), counted under its own source. Claiming an EMS dose on it is refused.
 */
async function communityReversal({ gql, show, codes, county }: Play): Promise<void> {
  console.log('\n— A community reversal —');
  const REPORT = `mutation($input: ReportIncidentInput!) {
    reportIncident(input: $input) { status incident { id source naloxoneKitsLeftBehind } } }`;
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const input = {
    externalId: `WALK-COMMUNITY-${Date.now()}`,
    occurredAt: at,
    county,
    fatal: false,
    source: 'COMMUNITY',
    naloxone: [{ administeredAt: at, route: 'IN', administeredBy: 'PEER', response: 'IMPROVED' }],
    naloxoneKitsLeftBehind: 2,
  };
  const reported = await gql('OUTREACH_WORKER', REPORT, { input });
  show(
    'OUTREACH_WORKER',
    'reports a reversal a peer made in the community (nobody named), leaving 2 kits',
    reported.data ?? codes(reported),
    reported.data?.reportIncident?.incident?.source === 'COMMUNITY',
  );
  const claimed = await gql('OUTREACH_WORKER', REPORT, {
    input: {
      ...input,
      externalId: `${input.externalId}-EMS`,
      naloxone: [{ administeredAt: at, route: 'IN', administeredBy: 'EMS' }],
    },
  });
  show(
    'OUTREACH_WORKER',
    'a community report claiming an EMS dose is refused',
    codes(claimed),
    codes(claimed).join() === 'reportIncident BAD_USER_INPUT',
  );
}

async function edReferral({ gql, show, codes, county, letters }: Play): Promise<void> {
  console.log('\n— Second story: an ED referral to an EMS community-paramedic program —');
  const lastName = `Referral${letters(6)}`;
  const opened = await gql(
    PARAMEDIC,
    `mutation($input: OpenReferralInput!) { openReferral(input: $input) {
      id version status referralSource indexIncident { id } routedAgency { name }
      person { firstName lastName phone } } }`,
    {
      input: {
        source: 'ED',
        county,
        person: { firstName: 'Sam', lastName, dateOfBirth: '1988-06-15', phone: '828-555-0188' },
      },
    },
  );
  const kase = opened.data?.openReferral;
  show(
    PARAMEDIC,
    'takes in an emergency-department referral (no 911 report): a case for the program',
    opened.data ?? codes(opened),
    kase?.status === 'REFERRED' && kase.referralSource === 'ED' && kase.indexIncident === null,
  );
  if (!kase) throw new Error('the referral opened no case');
  const caseId = kase.id as string;

  const police = await gql(
    'POLICE_OFFICER',
    `mutation($input: OpenReferralInput!) { openReferral(input: $input) { id } }`,
    { input: { source: 'ED', county, person: { firstName: 'Sam', lastName } } },
  );
  show(
    'POLICE_OFFICER',
    'tries to open a referral',
    codes(police),
    codes(police).join() === 'openReferral FORBIDDEN',
  );
  const noSource = await gql(
    PARAMEDIC,
    `mutation($input: OpenReferralInput!) { openReferral(input: $input) { id } }`,
    { input: { county, person: { firstName: 'Sam', lastName } } },
  );
  show(
    PARAMEDIC,
    'sends a referral without its source',
    codes(noSource),
    codes(noSource).join() === 'openReferral BAD_USER_INPUT',
  );
  const harmReduction = await gql('OUTREACH_WORKER', `query($id: ID!) { case(id: $id) { id } }`, {
    id: caseId,
  });
  show(
    'OUTREACH_WORKER',
    'another program’s worker asks for the referral case',
    codes(harmReduction),
    codes(harmReduction).join() === 'case NOT_FOUND',
  );

  let version = kase.version as number;
  const change = async (
    role: string,
    what: string,
    mutation: string,
    variables: Record<string, unknown>,
    check: (a: Answer) => boolean,
  ): Promise<Answer> => {
    const answer = await gql(role, mutation, { id: caseId, v: version, ...variables });
    show(
      role,
      what,
      answer.errors ? codes(answer).concat(answer.errors.map((e) => e.message)) : answer.data,
      !answer.errors && check(answer),
    );
    const now = await gql(PARAMEDIC, `query($id: ID!) { case(id: $id) { version } }`, {
      id: caseId,
    });
    version = now.data?.case?.version ?? version;
    return answer;
  };

  await change(
    PARAMEDIC,
    'accepts the case',
    `mutation($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { status } }`,
    {},
    (a) => a.data?.acceptCase?.status === 'ASSIGNED',
  );
  await change(
    PARAMEDIC,
    'calls and reaches the person',
    `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) {
      logOutreachAttempt(caseId: $id, version: $v, input: $input) { status } }`,
    {
      input: {
        method: 'PHONE',
        attemptedAt: new Date().toISOString(),
        outcome: 'CONTACT_SURVIVOR_ENGAGED',
      },
    },
    (a) => a.data?.logOutreachAttempt?.status === 'OUTREACH',
  );

  const clinicMe = await gql(CLINIC, `{ me { agency { id name } } }`);
  const clinicId = clinicMe.data?.me?.agency?.id as string;
  const CONSENT = `mutation($id: ID!, $v: Int!, $input: RecordConsentInput!) {
    recordConsent(caseId: $id, version: $v, input: $input) { scope inForce } }`;
  const consent = { method: 'VERBAL', grantedAt: new Date().toISOString() };
  await change(
    PARAMEDIC,
    'records consent to follow-up',
    CONSENT,
    {
      input: { ...consent, scope: 'CONTACT_FOR_FOLLOW_UP', purpose: 'community paramedic visits' },
    },
    (a) => a.data?.recordConsent?.inForce === true,
  );
  await change(
    PARAMEDIC,
    'marks the case ENGAGED',
    `mutation($id: ID!, $v: Int!) { markCaseEngaged(caseId: $id, version: $v) { status } }`,
    {},
    (a) => a.data?.markCaseEngaged?.status === 'ENGAGED',
  );
  const REFER = `mutation($id: ID!, $v: Int!, $input: ServiceReferralInput!) {
    createServiceReferral(caseId: $id, version: $v, input: $input) { id type status } }`;
  const referred = await change(
    PARAMEDIC,
    `refers the person to ${clinicMe.data?.me?.agency?.name ?? 'the clinic'} for MOUD`,
    REFER,
    { input: { type: 'TREATMENT_MOUD', toAgencyId: clinicId } },
    (a) => a.data?.createServiceReferral?.status === 'REQUESTED',
  );
  const referralId = referred.data?.createServiceReferral?.id as string;

  const INCOMING = `{ incomingServiceReferrals { edges { node { id status person { firstName lastName phone } } } } }`;
  const incoming = async () =>
    (await gql(CLINIC, INCOMING)).data?.incomingServiceReferrals?.edges?.find(
      (e: { node: { id: string } }) => e.node.id === referralId,
    )?.node;
  const before = await incoming();
  show(
    CLINIC,
    'sees the referral, but not the person: no consent names the clinic yet',
    before,
    Boolean(before) && before.person === null,
  );
  await change(
    PARAMEDIC,
    'records the person’s consent to share with the clinic',
    CONSENT,
    {
      input: {
        ...consent,
        scope: 'SHARE_WITH_TREATMENT_PROVIDER',
        grantedToAgencyId: clinicId,
        purpose: 'MOUD intake at the clinic',
      },
    },
    (a) => a.data?.recordConsent?.inForce === true,
  );
  const after = await incoming();
  show(
    CLINIC,
    'now sees who to expect: the name and phone the program holds',
    after,
    after?.person?.lastName === lastName && after?.person?.phone === '828-555-0188',
  );
  const clinicCase = await gql(CLINIC, `query($id: ID!) { case(id: $id) { id } }`, { id: caseId });
  show(
    CLINIC,
    'asks for the program’s case',
    codes(clinicCase),
    codes(clinicCase).join() === 'case FORBIDDEN',
  );

  const STATUS = `mutation($r: ID!, $s: ReferralStatus!) {
    updateServiceReferralStatus(referralId: $r, status: $s) { status } }`;
  for (const [status, what] of [
    ['ACCEPTED', 'accepts the referral'],
    ['COMPLETED', 'confirms admission (the referral is completed)'],
  ]) {
    const answer = await gql(CLINIC, STATUS, { r: referralId, s: status });
    show(
      CLINIC,
      what,
      answer.data ?? codes(answer),
      answer.data?.updateServiceReferralStatus?.status === status,
    );
  }
  const loop = await gql(
    PARAMEDIC,
    `query($id: ID!) { case(id: $id) { serviceReferrals { type status } } }`,
    { id: caseId },
  );
  show(
    PARAMEDIC,
    'sees the loop closed on the case',
    loop.data ?? codes(loop),
    loop.data?.case?.serviceReferrals?.some((r: { status: string }) => r.status === 'COMPLETED') ===
      true,
  );
  await change(
    PARAMEDIC,
    'records the outcome: admitted to treatment',
    `mutation($id: ID!, $v: Int!, $input: OutcomeInput!) {
      recordOutcome(caseId: $id, version: $v, input: $input) { type } }`,
    { input: { type: 'TREATMENT_ADMITTED', occurredAt: new Date().toISOString() } },
    (a) => a.data?.recordOutcome?.type === 'TREATMENT_ADMITTED',
  );
}
