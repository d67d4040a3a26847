import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { Role } from '../src/common/role';
import { PERMISSIONS } from '../src/permissions';
import { buildBareSchema } from '../src/schema';
import { startTestHub, type TestHub } from './support/hub';
import { buildWorld, type World } from './support/hostile-world';
import { operationFor } from './support/input-arbitraries';
import { reportInput } from './support/reports';

/**
 * IDOR, generated from the schema: every ID argument of every query and mutation (and every ID
 * field of an `input` argument), called by every role the permission layer lets through, with a
 * record of *another* program (world B) and with an id that exists nowhere. The two answers must
 * be identical in every byte (data, message, code, path): a record out of scope is a missing one.
 * The hub administrator works across agencies by design and is not an attacker here; agencies
 * and directory listings are public within the hub and are not scoped records.
 */

/** Types whose rows belong to an agency's scope. */
const SCOPED = new Set([
  'Case',
  'OverdoseIncident',
  'LeadReferral',
  'Consent',
  'ServiceReferral',
  'ApiKey',
  'AlertContact',
  'User',
  'DataSharingAgreement',
  'Outcome',
]);
const ARG_TYPES: Record<string, string> = {
  case: 'Case',
  incident: 'OverdoseIncident',
  consent: 'Consent',
  referral: 'ServiceReferral',
  worker: 'User',
  user: 'User',
  program: 'Agency',
  agency: 'Agency',
};

/** A plausible value for a non-id argument, so the call gets as far as looking the record up. */
function plausible(type: GraphQLInputType, name: string, world: World): unknown {
  const county = world.county;
  const named = getNamedType(type);
  const now = new Date().toISOString();
  const examples: Record<string, unknown> = {
    OutreachAttemptInput: { method: 'PHONE', attemptedAt: now, outcome: 'NO_ANSWER' },
    RecordConsentInput: {
      scope: 'CONTACT_FOR_FOLLOW_UP',
      method: 'VERBAL',
      grantedAt: now,
      purpose: 'follow-up',
    },
    LeadReleaseInput: { method: 'VERBAL', grantedAt: now, purpose: 'LEAD intake' },
    OutcomeInput: { type: 'DETOX', occurredAt: now },
    ServiceReferralInput: { type: 'PEER_SUPPORT', toResourceId: world.ids.resource },
    ContactPreferencesInput: { preferredContactMethod: 'PHONE' },
    PersonContactInput: { phone: '828-555-0111' },
    ReportIncidentInput: reportInput(county),
    AmendDataSharingAgreementInput: { counties: [county] },
    UpdateResourceInput: { name: 'Renamed clinic' },
    UpdateUserInput: { displayName: 'Renamed' },
    UpdateAgencyInput: { name: 'Renamed agency' },
    ReferToLeadInput: { door: 'SOCIAL_CONTACT', programId: world.agencies.lead.id },
    CloseReason: 'NOT_ELIGIBLE',
    HoldReason: 'ASKED_FOR_LATER_CONTACT',
  };
  if (named.name in examples) return examples[named.name];
  if (name === 'version') return 1;
  if (name === 'reason' && named.name === 'String') return 'capacity';
  switch (named.name) {
    case 'Int':
      return 1;
    case 'String':
      return 'text';
    case 'Boolean':
      return false;
    case 'DateTimeISO':
      return now;
    default:
      return isEnumType(named) ? named.getValues()[0].name : undefined;
  }
}

interface Probe {
  label: string;
  field: GraphQLField<unknown, unknown>;
  kind: 'query' | 'mutation';
  /** Variables with the id under test replaced by `id`. */
  variables: (id: string) => Record<string, unknown>;
  type: string;
}

function probesOf(schema: GraphQLSchema, world: World): Probe[] {
  const probes: Probe[] = [];
  for (const kind of ['query', 'mutation'] as const) {
    const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    for (const field of Object.values(root.getFields())) {
      const base: Record<string, unknown> = {};
      for (const arg of field.args)
        if (isNonNullType(arg.type) && getNamedType(arg.type).name !== 'ID')
          base[arg.name] = plausible(arg.type, arg.name, world);
      const typeOfId = (name: string) =>
        name === 'id' ? getNamedType(field.type).name : ARG_TYPES[name.replace(/Id$/, '')];
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        if (named.name === 'ID') {
          const type = typeOfId(arg.name);
          const others = Object.fromEntries(
            field.args
              .filter(
                (a) => a !== arg && getNamedType(a.type).name === 'ID' && isNonNullType(a.type),
              )
              .map((a) => [a.name, world.idsByType[typeOfId(a.name)]?.[0] ?? randomUUID()]),
          );
          if (type && SCOPED.has(type))
            probes.push({
              label: `${root.name}.${field.name}(${arg.name})`,
              field,
              kind,
              type,
              variables: (id) => ({ ...base, ...others, [arg.name]: id }),
            });
        } else if (isInputObjectType(named)) {
          for (const inner of Object.values(named.getFields())) {
            const type = ARG_TYPES[inner.name.replace(/Id$/, '')];
            if (getNamedType(inner.type).name !== 'ID' || !type || !SCOPED.has(type)) continue;
            probes.push({
              label: `${root.name}.${field.name}(${arg.name}.${inner.name})`,
              field,
              kind,
              type,
              variables: (id) => ({
                ...base,
                [arg.name]: { ...(base[arg.name] as object), [inner.name]: id },
              }),
            });
          }
        }
      }
    }
  }
  return probes;
}

describe('IDOR: another agency’s record answers exactly like a missing one', () => {
  let hub: TestHub;
  let attacker: World;
  let victim: World;
  let schema: GraphQLSchema;
  let sent = 0;
  const outcomes: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    attacker = await buildWorld(hub);
    victim = await buildWorld(hub);
    schema = await buildBareSchema();
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    process.stdout.write(
      `IDOR: ${sent} requests, ${outcomes.length} comparisons\n${outcomes.join('\n')}\n`,
    );
  });

  it('compares every id argument for every role that may call the field', async () => {
    const probes = probesOf(schema, attacker);
    expect(probes.length).toBeGreaterThan(30);
    const differences: string[] = [];
    for (const probe of probes) {
      const rootType = probe.kind === 'query' ? 'Query' : 'Mutation';
      const roles = (PERMISSIONS[rootType][probe.field.name]?.roles ?? []).filter(
        (r) => r !== Role.HUB_ADMIN,
      );
      const selection = isObjectType(getNamedType(probe.field.type)) ? '{ __typename }' : '';
      const query = operationFor(probe.kind, probe.field.name, probe.field.args, selection);
      for (const role of roles) {
        for (const victimId of victim.idsByType[probe.type] ?? []) {
          for (const actor of attacker.actors[role]) {
            const other = await hub.gql(query, probe.variables(victimId), actor.token);
            const missing = await hub.gql(query, probe.variables(randomUUID()), actor.token);
            sent += 2;
            const a = JSON.stringify({
              data: other.data,
              errors: other.errors,
              status: other.status,
            });
            const b = JSON.stringify({
              data: missing.data,
              errors: missing.errors,
              status: missing.status,
            });
            const code = String(missing.errors?.[0]?.extensions?.code ?? 'no error');
            outcomes.push(
              `  ${probe.label.padEnd(58)} ${role.padEnd(18)} ${a === b ? 'same' : 'DIFFERENT'} (${code})`,
            );
            if (a !== b)
              differences.push(
                `${probe.label} as ${role}:\n  other agency: ${a}\n  missing:      ${b}`,
              );
          }
        }
      }
    }
    expect(differences).toEqual([]);
  }, 600_000);
});
