import { Role } from '../../src/common/role';
import { AgencyKind } from '../../src/modules/agency/agency-kind';
import type { Agency } from '../../src/modules/agency/agency.entity';
import { AgreementPurpose } from '../../src/modules/agency/agreement-codes';
import {
  MoudType,
  PaymentAccepted,
  ResourceService,
} from '../../src/modules/resource/resource-codes';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './factories';
import type { GraphQLResponse, TestHub } from './hub';
import { reportInput } from './reports';
import { makeResource } from './resource-factory';

/**
 * One county's whole post-overdose program with every kind of record the hub has, played through
 * GraphQL the way the agencies would: an EMS and a police report, the case accepted, attempts,
 * consents, engaged, a LEAD referral from each side with a release, an onward referral, an
 * outcome, an API key. The permission matrix and the hostile-input suites read and attack it.
 */
export interface World {
  county: string;
  agencies: Record<'police' | 'ems' | 'outreach' | 'lead' | 'health' | 'research', Agency>;
  /** Every actor of a role, in the order the matrix tries them. */
  actors: Record<Role, Actor[]>;
  ids: {
    emsIncident: string;
    policeIncident: string;
    case: string;
    outreachLeadReferral: string;
    policeLeadReferral: string;
    consent: string;
    serviceReferral: string;
    resource: string;
    agreement: string;
    apiKey: string;
    outcome: string;
  };
  /** Known ids by the GraphQL type they identify, for by-id fields. */
  idsByType: Record<string, string[]>;
}

type Gql = (
  query: string,
  variables: Record<string, unknown>,
  actor: Actor,
) => Promise<GraphQLResponse<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function buildWorld(hub: TestHub): Promise<World> {
  const county = uniqueCounty();
  const agency = (kind: AgencyKind) => makeAgency(hub, kind, { serviceCounties: [county] });
  const agencies = {
    police: await agency(AgencyKind.LAW_ENFORCEMENT),
    ems: await agency(AgencyKind.EMS),
    outreach: await agency(AgencyKind.HARM_REDUCTION),
    lead: await agency(AgencyKind.LEAD_PROGRAM),
    health: await agency(AgencyKind.PUBLIC_HEALTH),
    research: await agency(AgencyKind.RESEARCH),
  };
  const agreement = await makeAgreement(hub, agencies.ems, agencies.outreach);
  await makeAgreement(hub, agencies.police, agencies.outreach);
  await makeAgreement(hub, agencies.police, agencies.lead, { purpose: AgreementPurpose.LEAD });
  const user = (role: Role, at: Agency) => makeUser(hub, role, { agency: at });
  const actors: Record<Role, Actor[]> = {
    POLICE_OFFICER: [await user(Role.POLICE_OFFICER, agencies.police)],
    EMS_PROVIDER: [await user(Role.EMS_PROVIDER, agencies.ems)],
    OUTREACH_WORKER: [await user(Role.OUTREACH_WORKER, agencies.outreach)],
    LEAD_CASE_MANAGER: [await user(Role.LEAD_CASE_MANAGER, agencies.lead)],
    // A clinic of its own: it receives no referral in this world, so it must see nothing.
    TREATMENT_PROVIDER: [await user(Role.TREATMENT_PROVIDER, await agency(AgencyKind.TREATMENT))],
    AGENCY_ADMIN: [
      await user(Role.AGENCY_ADMIN, agencies.outreach),
      await user(Role.AGENCY_ADMIN, agencies.lead),
      await user(Role.AGENCY_ADMIN, agencies.ems),
    ],
    // A police department's analyst too: its aggregates are its own reports only (issue 14 point 8).
    ANALYST: [await user(Role.ANALYST, agencies.health), await user(Role.ANALYST, agencies.police)],
    RESEARCHER: [await user(Role.RESEARCHER, agencies.research)],
    HUB_ADMIN: [await user(Role.HUB_ADMIN, agencies.health)],
  };
  const resource = await makeResource(hub, {
    county,
    agency: agencies.outreach,
    services: [ResourceService.MOUD, ResourceService.OUTPATIENT],
    moud: [MoudType.BUPRENORPHINE],
    paymentAccepted: [PaymentAccepted.SLIDING_SCALE],
    phone: '828-555-0199',
  });

  const gql: Gql = (query, variables, actor) => hub.gql(query, variables, actor.token);
  const must = async (
    what: string,
    query: string,
    variables: Record<string, unknown>,
    a: Actor,
  ) => {
    const answer = await gql(query, variables, a);
    if (answer.errors?.length)
      throw new Error(`world: ${what} failed: ${JSON.stringify(answer.errors)}`);
    return answer.data;
  };
  const [police] = actors.POLICE_OFFICER;
  const [ems] = actors.EMS_PROVIDER;
  const [worker] = actors.OUTREACH_WORKER;
  const [caseManager] = actors.LEAD_CASE_MANAGER;
  const emsAdmin = actors.AGENCY_ADMIN[2];

  const REPORT = `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { incident { id } } }`;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const emsReport = reportInput(county, {
    occurredAt: hoursAgo(26),
    emsDisposition: 'REFUSED_TRANSPORT',
  });
  (emsReport.naloxone as Array<Record<string, unknown>>)[0].administeredAt = hoursAgo(25.9);
  const emsIncident = (await must('EMS report', REPORT, { input: emsReport }, ems)).reportIncident
    .incident.id as string;
  const policeReport = reportInput(county, { occurredAt: hoursAgo(30) });
  Object.assign((policeReport.naloxone as Array<Record<string, unknown>>)[0], {
    administeredAt: hoursAgo(29.9),
    administeredBy: 'POLICE',
  });
  const policeIncident = (await must('police report', REPORT, { input: policeReport }, police))
    .reportIncident.incident.id as string;

  const queue = await must(
    'queue',
    `{ cases(first: 100) { edges { node { id version indexIncident { id } } } } }`,
    {},
    worker,
  );
  type Node = { id: string; version: number; indexIncident: { id: string } };
  const node = (queue.cases.edges as Array<{ node: Node }>).find(
    (e) => e.node.indexIncident.id === emsIncident,
  )?.node;
  if (!node) throw new Error('world: the EMS report did not reach the outreach queue');
  const caseId = node.id;
  let version = node.version;
  const onCase = async (what: string, mutation: string, variables: Record<string, unknown>) => {
    const data = await must(what, mutation, { id: caseId, v: version, ...variables }, worker);
    const now = await must(
      'version',
      `query($id: ID!) { case(id: $id) { version } }`,
      { id: caseId },
      worker,
    );
    version = now.case.version as number;
    return data;
  };
  await onCase(
    'accept',
    `mutation($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { id } }`,
    {},
  );
  const ATTEMPT = `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) { logOutreachAttempt(caseId: $id, version: $v, input: $input) { id } }`;
  await onCase('visit', ATTEMPT, {
    input: {
      method: 'VISIT',
      attemptedAt: new Date().toISOString(),
      outcome: 'CONTACT_SURVIVOR_ENGAGED',
      officerPresence: 'NONE',
      teamPresent: ['PEER_SUPPORT_SPECIALIST'],
      naloxoneKitsForPerson: 2,
      fentanylTestStrips: 5,
      notes: 'Talked on the porch.',
    },
  });
  const CONSENT = `mutation($id: ID!, $v: Int!, $input: RecordConsentInput!) { recordConsent(caseId: $id, version: $v, input: $input) { id } }`;
  const consentBase = {
    method: 'VERBAL',
    grantedAt: new Date().toISOString(),
    purpose: 'follow-up',
  };
  const consent = (
    await onCase('consent', CONSENT, { input: { ...consentBase, scope: 'CONTACT_FOR_FOLLOW_UP' } })
  ).recordConsent.id as string;
  await onCase('release', CONSENT, {
    input: {
      ...consentBase,
      scope: 'SHARE_WITH_LEAD',
      grantedToAgencyId: agencies.lead.id,
      coversPolice: true,
    },
  });
  await onCase(
    'engaged',
    `mutation($id: ID!, $v: Int!) { markCaseEngaged(caseId: $id, version: $v) { id } }`,
    {},
  );
  const REFER = `mutation($input: ReferToLeadInput!) { referToLead(input: $input) { id } }`;
  const outreachLeadReferral = (
    await must(
      'outreach LEAD referral',
      REFER,
      { input: { caseId, door: 'COMMUNITY', programId: agencies.lead.id } },
      worker,
    )
  ).referToLead.id as string;
  const serviceReferral = (
    await onCase(
      'service referral',
      `mutation($id: ID!, $v: Int!, $input: ServiceReferralInput!) { createServiceReferral(caseId: $id, version: $v, input: $input) { id } }`,
      {
        input: {
          type: 'TREATMENT_MOUD',
          toResourceId: resource.id,
          toAgencyId: agencies.outreach.id,
        },
      },
    )
  ).createServiceReferral.id as string;
  await onCase(
    'linked',
    `mutation($id: ID!, $v: Int!) { markCaseLinked(caseId: $id, version: $v) { id } }`,
    {},
  );
  const outcome = (
    await onCase(
      'outcome',
      `mutation($id: ID!, $v: Int!, $input: OutcomeInput!) { recordOutcome(caseId: $id, version: $v, input: $input) { id } }`,
      {
        input: {
          type: 'MOUD_STARTED',
          moudType: 'BUPRENORPHINE',
          occurredAt: new Date().toISOString(),
        },
      },
    )
  ).recordOutcome.id as string;

  const policeLeadReferral = (
    await must(
      'police LEAD referral',
      REFER,
      {
        input: { incidentId: policeIncident, door: 'SOCIAL_CONTACT', programId: agencies.lead.id },
      },
      police,
    )
  ).referToLead.id as string;
  const lead = await must(
    'LEAD referral version',
    `query($id: ID!) { leadReferral(id: $id) { version } }`,
    { id: policeLeadReferral },
    caseManager,
  );
  await must(
    'LEAD release',
    `mutation($id: ID!, $v: Int!, $input: LeadReleaseInput!) { recordLeadRelease(id: $id, version: $v, input: $input) { id } }`,
    {
      id: policeLeadReferral,
      v: lead.leadReferral.version,
      input: {
        method: 'WRITTEN',
        grantedAt: new Date().toISOString(),
        purpose: 'LEAD intake',
        coversPolice: true,
      },
    },
    caseManager,
  );
  const created = (
    await must(
      'API key',
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`,
      { input: { label: 'ePCR', role: 'EMS_PROVIDER' } },
      emsAdmin,
    )
  ).createApiKey;
  const apiKey = created.apiKey.id as string;
  const alertContact = (
    await must(
      'alert contact',
      `mutation($input: AddAlertContactInput!) { addAlertContact(input: $input) { contact { id } } }`,
      { input: { channel: 'WEBHOOK', label: 'Dispatch', url: 'https://127.0.0.1:9/alerts' } },
      emsAdmin,
    )
  ).addAlertContact.contact.id as string;
  // The ePCR system calls as EMS with its key: the matrix tries it after the EMS user.
  actors.EMS_PROVIDER.push({ ...ems, token: created.key as string });

  const ids = {
    emsIncident,
    policeIncident,
    case: caseId,
    outreachLeadReferral,
    policeLeadReferral,
    consent,
    serviceReferral,
    resource: resource.id,
    agreement: agreement.id,
    apiKey,
    outcome,
  };
  const idsByType: Record<string, string[]> = {
    Case: [caseId],
    OverdoseIncident: [emsIncident, policeIncident],
    LeadReferral: [outreachLeadReferral, policeLeadReferral],
    DataSharingAgreement: [agreement.id],
    Agency: [agencies.outreach.id, agencies.ems.id, agencies.lead.id],
    TreatmentResource: [resource.id],
    Consent: [consent],
    ServiceReferral: [serviceReferral],
    ApiKey: [apiKey],
    AlertContact: [alertContact],
    User: [worker.user.id],
    Outcome: [outcome],
  };
  return { county, agencies, actors, ids, idsByType };
}
