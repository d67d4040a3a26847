import { registerEnumType } from 'type-graphql';

/** How the person may be reached, and how an outreach attempt was made. */
export enum ContactMethod {
  PHONE = 'PHONE',
  TEXT = 'TEXT',
  VISIT = 'VISIT',
}

/** NEMSIS ePatient.25 values, collapsed. */
export enum Sex {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  UNKNOWN = 'UNKNOWN',
  OTHER = 'OTHER',
}

/** NEMSIS ePatient.14, OMB categories. */
export enum RaceEthnicity {
  AMERICAN_INDIAN_OR_ALASKA_NATIVE = 'AMERICAN_INDIAN_OR_ALASKA_NATIVE',
  ASIAN = 'ASIAN',
  BLACK_OR_AFRICAN_AMERICAN = 'BLACK_OR_AFRICAN_AMERICAN',
  HISPANIC_OR_LATINO = 'HISPANIC_OR_LATINO',
  MIDDLE_EASTERN_OR_NORTH_AFRICAN = 'MIDDLE_EASTERN_OR_NORTH_AFRICAN',
  NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = 'NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER',
  WHITE = 'WHITE',
  UNKNOWN = 'UNKNOWN',
}

registerEnumType(Sex, { name: 'Sex' });
registerEnumType(RaceEthnicity, { name: 'RaceEthnicity' });
registerEnumType(ContactMethod, { name: 'ContactMethod' });
