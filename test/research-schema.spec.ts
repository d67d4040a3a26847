import 'reflect-metadata';
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import { ageBandAt, AgeBand } from '../src/modules/person/age-band';
import { PERMISSIONS } from '../src/permissions';
import {
  RESEARCH_OWN_PERMISSIONS,
  researchPermissions,
} from '../src/research/research-permissions';
import { buildResearchBareSchema } from '../src/research/research-schema';
import { buildBareSchema } from '../src/schema';

/** Every `Type.field` of the schema's own object types. */
function objectTypes(schema: GraphQLSchema): Map<string, string[]> {
  const types = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    types.set(type.name, Object.keys(type.getFields()));
  }
  return types;
}

/** Field names that would carry identity or a record's identity if they ever appeared. */
const IDENTIFYING_FIELDS =
  /^(id|.*Id|firstName|lastName|name|dateOfBirth|phone|email|street|city|zip|address|latitude|longitude|notes?|externalId|occurredAt)$/;

describe('the research schema', () => {
  let research: GraphQLSchema;
  let hub: GraphQLSchema;
  beforeAll(async () => {
    research = await buildResearchBareSchema();
    hub = await buildBareSchema();
  });

  it('has the extract and no mutation', () => {
    expect(research.getQueryType()?.getFields().researchExtract).toBeDefined();
    expect(research.getMutationType()).toBeUndefined();
  });

  it('contains no person-level type: none of the hub’s record types (types with an id)', () => {
    const records = [...objectTypes(hub)]
      .filter(([, fields]) => fields.includes('id'))
      .map(([name]) => name);
    // The walk must see the record types it guards against, or it proves nothing.
    expect(records).toEqual(
      expect.arrayContaining(['Person', 'Case', 'OverdoseIncident', 'OutreachAttempt']),
    );
    const present = Object.keys(research.getTypeMap()).filter((name) => records.includes(name));
    expect(present).toEqual([]);
  });

  it('has no field that could carry identity or point at a record', () => {
    const found = [...objectTypes(research)].flatMap(([type, fields]) =>
      fields.filter((f) => IDENTIFYING_FIELDS.test(f)).map((f) => `${type}.${f}`),
    );
    // The extract's own id names the extract (for the audit trail), no record of the hub. An
    // aggregate group's agency stays null here: researchers may not group by agency (groupBy).
    expect(found).toEqual(['StatsGroup.agencyId', 'ResearchExtract.extractId']);
  });

  it('reaches only its own object types from Query (nothing shared with case or incident types)', () => {
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const type = research.getType(name);
      if (!isObjectType(type)) return;
      for (const field of Object.values(type.getFields())) walk(getNamedType(field.type).name);
    };
    walk('Query');
    expect(
      [...seen].filter((n) => /person|case|incident|identity|consent|user|agency/i.test(n)),
    ).toEqual([]);
  });
});

describe('research permission coverage', () => {
  let research: GraphQLSchema;
  beforeAll(async () => {
    research = await buildResearchBareSchema();
  });

  it('has a rule for every field of every object type', () => {
    const rules = researchPermissions(research);
    const missing = [...objectTypes(research)].flatMap(([type, fields]) =>
      fields.filter((f) => !rules[type]?.[f]).map((f) => `${type}.${f}`),
    );
    expect(objectTypes(research).size).toBeGreaterThan(1);
    expect(missing).toEqual([]);
  });

  it('allows RESEARCHER and no other role on any field', () => {
    const rules = researchPermissions(research);
    const roles = new Set(
      Object.values(rules).flatMap((fields) => Object.values(fields).flatMap((a) => a.roles)),
    );
    expect([...roles]).toEqual([Role.RESEARCHER]);
  });

  it('names no type or field of its own that the research schema lacks (stale rules)', () => {
    const types = objectTypes(research);
    const stale = Object.entries(RESEARCH_OWN_PERMISSIONS).flatMap(([type, fields]) =>
      Object.keys(fields)
        .filter((f) => !types.get(type)?.includes(f))
        .map((f) => `${type}.${f}`),
    );
    expect(stale).toEqual([]);
  });
});

describe('RESEARCHER on the main /graphql schema', () => {
  // Besides `me`: ending their own sign-in sessions, which every person may do.
  it('may call nothing but `me` and signOutEverywhere', () => {
    const rootFields = ['Query', 'Mutation', 'Subscription'].flatMap((root) =>
      Object.entries(PERMISSIONS[root] ?? {})
        .filter(([, access]) => access.roles.includes(Role.RESEARCHER))
        .map(([field]) => `${root}.${field}`),
    );
    expect(rootFields.sort()).toEqual(['Mutation.signOutEverywhere', 'Query.me']);
  });
});

describe('research configuration', () => {
  const base = { NODE_ENV: 'test' };

  it('defaults k to 11', () => {
    expect(loadConfig(base).research.kAnonymity).toBe(11);
  });

  it('lets k be raised', () => {
    expect(loadConfig({ ...base, RESEARCH_K_ANONYMITY: '25' }).research.kAnonymity).toBe(25);
  });

  it('refuses a k below 11', () => {
    expect(() => loadConfig({ ...base, RESEARCH_K_ANONYMITY: '10' })).toThrow(
      /RESEARCH_K_ANONYMITY/,
    );
  });
});

describe('age bands', () => {
  const at = new Date('2026-06-15T12:00:00Z');

  it('counts completed years: the day before the 25th birthday is still 15–24', () => {
    expect(ageBandAt('2001-06-16', at)).toBe(AgeBand.AGE_15_24);
    expect(ageBandAt('2001-06-15', at)).toBe(AgeBand.AGE_25_34);
  });

  it('bands the ends: under 15 and 65 or over', () => {
    expect(ageBandAt('2020-01-01', at)).toBe(AgeBand.UNDER_15);
    expect(ageBandAt('1950-01-01', at)).toBe(AgeBand.AGE_65_PLUS);
  });

  it('gives no band without a usable date of birth', () => {
    expect(ageBandAt(undefined, at)).toBeUndefined();
    expect(ageBandAt('2030-01-01', at)).toBeUndefined();
    expect(ageBandAt('15/06/1990', at)).toBeUndefined();
  });
});
