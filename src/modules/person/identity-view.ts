import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import { readField } from '../../crypto/field-cipher';
import { identityKeyRing } from '../../crypto/identity-keys';
import { SourceKind, sourceVisibleSql } from '../../rules/source-visible';
import type { ContactMethod, RaceEthnicity, Sex } from './person-codes';
import type { PersonType } from './person.types';

/**
 * A person as one agency may read them: assembled from the sources it may see
 * (rules/source-visible.ts) — its own values first, then the newest of the others — and nothing
 * else. Every read of a person goes through here (`Case.person` on a case, a list, a fragment or
 * a subscription payload; `LeadReferral.person`), so no path serves a merged record.
 *
 * `alsoIncidentIds`: reports whose values the caller may see by another rule already checked
 * (a LEAD program reads what the referring police entered on the referral's incident).
 */
export async function loadIdentityViews(
  em: EntityManager,
  readerAgencyId: string,
  personIds: readonly string[],
  alsoIncidentIds: readonly string[] = [],
): Promise<Map<string, PersonType>> {
  const views = new Map<string, PersonType>();
  if (personIds.length === 0) return views;
  const reported = sourceVisibleSql(SourceKind.REPORTED, {
    reader: 'v.agency_id',
    source: 's.source_agency_id',
    person: 's.person_id',
    county: 's.county',
  });
  const recorded = sourceVisibleSql(SourceKind.RECORDED, {
    reader: 'v.agency_id',
    source: 's.source_agency_id',
    person: 's.person_id',
  });
  // One statement: each person with the visible sources (none: one row of nulls), the reader's
  // own first, then the newest.
  const rows = await em.getConnection().execute<Array<SourceRow & PersonRow>>(
    `with v as (select ?::uuid as agency_id)
     select p.id, p.do_not_contact, vs.* from person p
       left join (
         select s.*, s.source_agency_id = v.agency_id as own from v cross join (
           select i.person_id, i.reporting_agency_id as source_agency_id, 'REPORTED' as kind,
                  i.county, i.occurred_at as at, i.id = any(?::uuid[]) as also_visible,
                  r.first_name, r.last_name, r.date_of_birth, r.phone, r.street, r.city,
                  r.state, r.zip, r.sex::text as sex, r.race_ethnicity::text[] as race_ethnicity,
                  null::text as preferred_contact_method, null::text as safe_contact_times,
                  null::boolean as do_not_disclose_to_household, false as phone_set,
                  false as address_set
             from reported_identity r join overdose_incident i on i.id = r.incident_id
            where i.person_id = any(?::uuid[])
           union all
           select cr.person_id, cr.agency_id, 'RECORDED', null, cr.updated_at, false,
                  cr.first_name, cr.last_name, cr.date_of_birth, cr.phone, cr.street, cr.city, cr.state, cr.zip, null, null,
                  cr.preferred_contact_method::text, cr.safe_contact_times,
                  cr.do_not_disclose_to_household, cr.phone_set, cr.address_set
             from contact_record cr where cr.person_id = any(?::uuid[])
         ) s
         where s.also_visible
            or (s.kind = 'REPORTED' and ${reported})
            or (s.kind = 'RECORDED' and ${recorded})
       ) vs on vs.person_id = p.id
      where p.id = any(?::uuid[])
      order by p.id, vs.own desc, vs.at desc`,
    [
      readerAgencyId,
      pgArray(alsoIncidentIds),
      pgArray(personIds),
      pgArray(personIds),
      pgArray(personIds),
    ],
    'all',
    em.getTransactionContext(),
  );
  const people = new Map<string, { person: PersonRow; sources: SourceRow[] }>();
  for (const row of rows) {
    const entry = people.get(row.id) ?? { person: row, sources: [] };
    if (row.person_id !== null) entry.sources.push(row);
    people.set(row.id, entry);
  }
  for (const [id, { person, sources }] of people) views.set(id, assemble(person, sources));
  return views;
}

interface PersonRow {
  id: string;
  do_not_contact: boolean;
}

interface SourceRow {
  /** Null on the one row of a person no visible source names. */
  person_id: string | null;
  kind: SourceKind;
  first_name: string | null;
  last_name: string | null;
  date_of_birth: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  sex: string | null;
  race_ethnicity: string[] | string | null;
  preferred_contact_method: string | null;
  safe_contact_times: string | null;
  do_not_disclose_to_household: boolean | null;
  phone_set: boolean;
  address_set: boolean;
  own: boolean;
}

const plain = (value: string | null): string | undefined =>
  value === null ? undefined : readField(identityKeyRing(), value);

/** The first source (in the reader's order) that has the value decides it. */
function first<T>(
  rows: SourceRow[],
  pick: (row: SourceRow) => T | null | undefined,
): T | undefined {
  for (const row of rows) {
    const value = pick(row);
    if (value !== null && value !== undefined) return value;
  }
  return undefined;
}

/** pg returns an enum array as its text form unless the type is registered. */
function races(value: string[] | string | null): RaceEthnicity[] | undefined {
  if (value === null) return undefined;
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, '').split(',');
  const clean = list.filter((v) => v.length > 0) as RaceEthnicity[];
  return clean.length > 0 ? clean : undefined;
}

function assemble(person: PersonRow, rows: SourceRow[]): PersonType {
  // A name and date of birth are taken together from one report, so two reporters' spellings
  // never mix; so are the parts of an address. The reader's own recorded phone or address (even
  // a cleared one) stands over what reports said; from others only values count.
  const named = rows.find((r) => r.first_name || r.last_name || r.date_of_birth);
  const phoneRow = rows.find((r) => (r.own && r.phone_set) || r.phone);
  const addressRow = rows.find(
    (r) => (r.own && r.address_set) || r.street || r.city || r.zip || r.state,
  );
  return {
    id: person.id,
    firstName: plain(named?.first_name ?? null),
    lastName: plain(named?.last_name ?? null),
    dateOfBirth: plain(named?.date_of_birth ?? null),
    phone: plain(phoneRow?.phone ?? null),
    street: plain(addressRow?.street ?? null),
    city: plain(addressRow?.city ?? null),
    state: addressRow?.state ?? undefined,
    zip: plain(addressRow?.zip ?? null),
    sex: first(rows, (r) => r.sex) as Sex | undefined,
    raceEthnicity: first(rows, (r) => races(r.race_ethnicity)) ?? [],
    doNotContact: person.do_not_contact,
    preferredContactMethod: first(rows, (r) => r.preferred_contact_method) as
      ContactMethod | undefined,
    safeContactTimes: plain(first(rows, (r) => r.safe_contact_times) ?? null),
    doNotDiscloseToHousehold: first(rows, (r) => r.do_not_disclose_to_household) ?? true,
  };
}
