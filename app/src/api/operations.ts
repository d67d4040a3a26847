import { graphql, mutate, type Answer } from './client';

/**
 * Every query and mutation the app sends, with the shapes it reads back. Fields a role may not
 * see come back null (with a FORBIDDEN error at their path): every field here is nullable.
 */
export interface Me {
  role: string | null;
  user: { id: string; displayName: string | null } | null;
  agency: { id: string; name: string | null; kind: string | null } | null;
}

export interface PersonView {
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  safeContactTimes: string | null;
  preferredContactMethod: string | null;
  doNotDiscloseToHousehold: boolean | null;
  doNotContact: boolean | null;
}

export interface AttemptView {
  id: string;
  attemptedAt: string | null;
  method: string | null;
  outcome: string | null;
  officerPresence: string | null;
  notes: string | null;
  naloxoneKitsForPerson: number | null;
  naloxoneKitsForFamily: number | null;
  worker: { displayName: string | null } | null;
  part2Protected?: boolean | null;
}

export interface CaseView {
  id: string;
  version: number | null;
  status: string | null;
  county: string | null;
  followUpOpensAt: string | null;
  followUpDueAt: string | null;
  followUpBucket: string | null;
  overdue: boolean | null;
  holdReason: string | null;
  resumeOn: string | null;
  attemptCount: number | null;
  lastAttemptAt: string | null;
  priorCaseCount: number | null;
  identitySealed: boolean | null;
  person: PersonView | null;
  /** 42 CFR Part 2: the case or one of its records was created by a Part 2 program. */
  part2Protected?: boolean | null;
  outreachAttempts: AttemptView[] | null;
  consents: Array<{
    id: string;
    scope: string | null;
    grantedAt: string | null;
    inForce: boolean | null;
    part2Protected?: boolean | null;
  }> | null;
  serviceReferrals: Array<{
    id: string;
    type: string | null;
    status: string | null;
    toResource: { name: string | null } | null;
    part2Protected?: boolean | null;
  }> | null;
}

const CASE_FIELDS = `id version status county followUpOpensAt followUpDueAt followUpBucket overdue
  holdReason resumeOn attemptCount lastAttemptAt priorCaseCount identitySealed part2Protected
  person { firstName lastName phone street city safeContactTimes preferredContactMethod
           doNotDiscloseToHousehold doNotContact }
  outreachAttempts { id attemptedAt method outcome officerPresence notes
                     naloxoneKitsForPerson naloxoneKitsForFamily worker { displayName }
                     part2Protected }
  consents { id scope grantedAt inForce part2Protected }
  serviceReferrals { id type status toResource { name } part2Protected }`;

export const OPEN_STATUSES = ['ASSIGNED', 'OUTREACH', 'ON_HOLD', 'ENGAGED', 'LINKED', 'FOLLOW_UP'];

export function fetchMe(): Promise<Answer<{ me: Me | null }>> {
  return graphql('{ me { role user { id displayName } agency { id name kind } } }');
}

type CasePage = {
  cases: {
    edges: Array<{ node: CaseView }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  } | null;
};

/** Pages of the caller's own cases the app reads at most (100 each): a whole caseload. */
const MAX_CASE_PAGES = 10;

type Send = <T>(query: string, variables?: Record<string, unknown>) => Promise<Answer<T>>;

/**
 * The caller's own open cases, with all the app keeps offline about each: every page, so a
 * worker with more than one page of cases still sees (and keeps offline) all of them. A denied
 * field (a sealed name: null with FORBIDDEN at its path) is normal on any page and does not stop
 * the paging; only a missing list does (the role may not list cases, or the request failed).
 * The errors of every page are kept, their paths made relative to the whole list.
 */
export async function fetchMyCases(
  send: Send = graphql,
): Promise<Answer<{ cases: { edges: Array<{ node: CaseView }> } | null }>> {
  const edges: Array<{ node: CaseView }> = [];
  const errors: Answer<unknown>['errors'] = [];
  let part2Notice: string | undefined;
  let after: string | null = null;
  for (let page = 0; page < MAX_CASE_PAGES; page++) {
    const answer: Answer<CasePage> = await send<CasePage>(
      `query ($status: [CaseStatus!], $after: String) {
        cases(filter: { assignedToMe: true, status: $status }, first: 100, after: $after) {
          edges { node { ${CASE_FIELDS} } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      { status: OPEN_STATUSES, after },
    );
    if (!answer.data?.cases) {
      // Nothing listed: with earlier pages read, keep them rather than show no cases at all.
      if (page === 0) return answer;
      errors.push(...answer.errors);
      break;
    }
    const offset = edges.length;
    errors.push(
      ...answer.errors.map((e) =>
        e.path?.[0] === 'cases' && e.path[1] === 'edges' && typeof e.path[2] === 'number'
          ? { ...e, path: ['cases', 'edges', e.path[2] + offset, ...e.path.slice(3)] }
          : e,
      ),
    );
    edges.push(...answer.data.cases.edges);
    // One page with a Part 2 record is enough: the whole list then carries the notice.
    part2Notice ??= answer.part2Notice;
    if (!answer.data.cases.pageInfo.hasNextPage) break;
    after = answer.data.cases.pageInfo.endCursor;
  }
  return { data: { cases: { edges } }, errors, ...(part2Notice ? { part2Notice } : {}) };
}

export function fetchCase(id: string): Promise<Answer<{ case: CaseView | null }>> {
  return graphql(`query ($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`, { id });
}

export interface AttemptInput {
  attemptedAt: string;
  method: string;
  outcome: string;
  officerPresence?: string | null;
  naloxoneKitsForPerson: number;
  naloxoneKitsForFamily: number;
  fentanylTestStrips: number;
  overdosePreventionLiterature: boolean;
  peerSupportContactCard: boolean;
  syringeServicesInformation: boolean;
  notes?: string | null;
}

export function logAttempt(caseId: string, version: number, input: AttemptInput) {
  return mutate<{ logOutreachAttempt: { id: string; version: number } }>(
    `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
      logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { id version }
    }`,
    { caseId, version, input },
  );
}

export interface ConsentInput {
  scope: string;
  method: string;
  purpose: string;
  grantedAt: string;
}

export function recordConsent(caseId: string, version: number, input: ConsentInput) {
  return mutate<{ recordConsent: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
      recordConsent(caseId: $caseId, version: $version, input: $input) { id }
    }`,
    { caseId, version, input },
  );
}

export function putOnHold(caseId: string, version: number, reason: string, resumeOn?: string) {
  return mutate<{ putCaseOnHold: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!, $reason: HoldReason!, $resumeOn: DateTimeISO) {
      putCaseOnHold(caseId: $caseId, version: $version, reason: $reason, resumeOn: $resumeOn) { id }
    }`,
    { caseId, version, reason, resumeOn: resumeOn || null },
  );
}

export function resumeCase(caseId: string, version: number) {
  return mutate<{ resumeCase: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!) { resumeCase(caseId: $caseId, version: $version) { id } }`,
    { caseId, version },
  );
}

export function markEngaged(caseId: string, version: number) {
  return mutate<{ markCaseEngaged: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!) {
      markCaseEngaged(caseId: $caseId, version: $version) { id }
    }`,
    { caseId, version },
  );
}

export function closeCase(caseId: string, version: number, reason: string) {
  return mutate<{ closeCase: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!, $reason: CloseReason!) {
      closeCase(caseId: $caseId, version: $version, reason: $reason) { id }
    }`,
    { caseId, version, reason },
  );
}

export function referOnward(caseId: string, version: number, type: string, toResourceId: string) {
  return mutate<{ createServiceReferral: { id: string } }>(
    `mutation ($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
      createServiceReferral(caseId: $caseId, version: $version, input: $input) { id }
    }`,
    { caseId, version, input: { type, toResourceId } },
  );
}

export interface ResourceView {
  id: string;
  name: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  county: string | null;
  typicalCost: string | null;
  openNow: boolean | null;
  languages: string[] | null;
  moud: string[] | null;
  paymentAccepted: string[] | null;
  services: string[] | null;
  hours: Array<{ day: number; opens: string; closes: string }> | null;
}

export interface ResourceFilter {
  moud?: string;
  paymentAccepted?: string[];
  openNow?: boolean;
  language?: string;
}

export function fetchResources(filter: ResourceFilter) {
  return graphql<{ resources: { edges: Array<{ node: ResourceView }> } | null }>(
    `
      query ($filter: ResourceFilter) {
        resources(filter: $filter, first: 100) {
          edges {
            node {
              id
              name
              phone
              street
              city
              state
              zip
              county
              typicalCost
              openNow
              languages
              moud
              paymentAccepted
              services
              hours {
                day
                opens
                closes
              }
            }
          }
        }
      }
    `,
    { filter },
  );
}

export interface QuickReportInput {
  externalId: string;
  occurredAt: string;
  county: string;
  latitude?: number;
  longitude?: number;
  fatal: boolean;
  naloxone: Array<{ administeredAt: string; administeredBy: string; route: string }>;
  survivor?: { firstName?: string; lastName?: string; dateOfBirth?: string } | null;
  naloxoneKitsLeftBehind?: number;
  consentToPeerContact?: 'YES' | 'NO' | 'NOT_ASKED';
}

export function reportIncident(input: QuickReportInput) {
  return mutate<{ reportIncident: { status: string } }>(
    `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { status } }`,
    { input },
  );
}

export interface NotificationSettings {
  byPush: boolean | null;
  byEmail: boolean | null;
  language: string | null;
  pushPublicKey: string | null;
}

export function fetchNotificationSettings() {
  return graphql<{ myNotificationSettings: NotificationSettings | null }>(
    '{ myNotificationSettings { byPush byEmail language pushPublicKey } }',
  );
}

export function updateNotificationSettings(input: {
  byPush?: boolean;
  byEmail?: boolean;
  language?: string;
}) {
  return mutate<{ updateNotificationSettings: NotificationSettings }>(
    `mutation ($input: NotificationSettingsInput!) {
      updateNotificationSettings(input: $input) { byPush byEmail language pushPublicKey }
    }`,
    { input },
  );
}

export function savePushSubscription(input: { endpoint: string; p256dh: string; auth: string }) {
  return mutate<{ savePushSubscription: boolean }>(
    'mutation ($input: PushSubscriptionInput!) { savePushSubscription(input: $input) }',
    { input },
  );
}

export function signOutEverywhere() {
  return mutate<{ signOutEverywhere: number }>('mutation { signOutEverywhere }', {});
}
