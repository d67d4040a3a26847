import { isUuid } from '../../common/uuid';

/**
 * The GraphQL fields whose value is a person's identity or contact details (DESIGN.md matrix:
 * name, date of birth, phone, home address, safe-contact preferences, and the exact place of the
 * overdose, which is often the home). Every read of one is audited. On the vault record every
 * field but the id counts, so a field added to Person later is audited without anyone
 * remembering to list it.
 */
const EVERY_FIELD_BUT_ID = 'every field but id';
const IDENTITY_FIELDS: Record<string, typeof EVERY_FIELD_BUT_ID | ReadonlySet<string>> = {
  Person: EVERY_FIELD_BUT_ID,
  ReportedIdentity: EVERY_FIELD_BUT_ID,
  OverdoseIncident: new Set(['street', 'city', 'state', 'zip', 'latitude', 'longitude']),
  LeadIncidentAddress: EVERY_FIELD_BUT_ID,
  // Issue 14: the person of an onward referral as a clinic reads it (a Person entity), and what
  // an officer entered for a LEAD referral (name, date of birth, where to find them).
  ReferredPerson: EVERY_FIELD_BUT_ID,
  FamilyContact: new Set(['name', 'phone']),
  LeadReferralDetails: new Set(['firstName', 'lastName', 'dateOfBirth', 'whereToFind', 'contact']),
};

/**
 * Identity handed out as a value object without an id of its own: the record that carries it
 * (its field), so the read is filed under that record and its person.
 */
export const IDENTITY_CARRIERS: Record<string, { type: string; field: string }> = {
  LeadIncidentAddress: { type: 'LeadReferral', field: 'incidentAddress' },
  LeadReferralDetails: { type: 'LeadReferral', field: 'referralDetails' },
};
const CARRIER_FIELDS = new Set(Object.values(IDENTITY_CARRIERS).map((c) => `${c.type}.${c.field}`));

export function carriesIdentity(typeName: string, fieldName: string): boolean {
  return CARRIER_FIELDS.has(`${typeName}.${fieldName}`);
}

export const IDENTITY_TYPES = Object.keys(IDENTITY_FIELDS);

export function isIdentityField(typeName: string, fieldName: string): boolean {
  const fields = IDENTITY_FIELDS[typeName];
  if (!fields || fieldName === '__typename') return false;
  return fields === EVERY_FIELD_BUT_ID ? fieldName !== 'id' : fields.has(fieldName);
}

export function listedIdentityFields(typeName: string): readonly string[] | undefined {
  const fields = IDENTITY_FIELDS[typeName];
  return fields && fields !== EVERY_FIELD_BUT_ID ? [...fields] : undefined;
}

type Parent = Record<string, unknown> | null | undefined;

const refId = (value: unknown): string | undefined => {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && isUuid(id) ? id : undefined;
};

/** The id of the record a resolved field belongs to (the entity or the row it came from). */
export function recordIdOf(parent: unknown): string | undefined {
  return refId(parent);
}

/**
 * Whose identity a field of `parent` is: the Person itself, or the person an incident (or the
 * incident of a reported identity) refers to. Undefined when only the database knows; the
 * plugin then asks it (personIdsOfIncidents).
 */
export function personIdOf(typeName: string, parent: unknown): string | undefined {
  const p = parent as Parent;
  switch (typeName) {
    case 'Person':
    case 'ReferredPerson':
      return refId(p);
    case 'OverdoseIncident':
      return refId(p?.person);
    case 'ReportedIdentity': {
      const incident = p?.incident as { unwrap?: () => unknown } | undefined;
      const loaded = incident?.unwrap?.() as Parent;
      return refId(loaded?.person);
    }
    case 'LeadReferral':
      return typeof p?.personId === 'string' && isUuid(p.personId) ? p.personId : undefined;
    default:
      return undefined;
  }
}

/** The incident a ReportedIdentity belongs to, for the database fallback of personIdOf. */
export function incidentIdOf(typeName: string, parent: unknown): string | undefined {
  const p = parent as Parent;
  if (typeName === 'OverdoseIncident') return refId(p);
  if (typeName === 'ReportedIdentity') return refId(p?.incident);
  return undefined;
}
