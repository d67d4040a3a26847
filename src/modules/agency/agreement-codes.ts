import { registerEnumType } from 'type-graphql';

export enum AgreementPurpose {
  FOLLOW_UP_OUTREACH = 'FOLLOW_UP_OUTREACH',
  LEAD = 'LEAD',
}

/** The legal ground for the disclosure (domain.md §2.6). */
export enum LawfulBasis {
  CONSENT = 'CONSENT',
  PUBLIC_HEALTH_AUTHORITY = 'PUBLIC_HEALTH_AUTHORITY',
  STATE_MANDATE = 'STATE_MANDATE',
  BAA_DUA = 'BAA_DUA',
}

registerEnumType(AgreementPurpose, { name: 'AgreementPurpose' });
registerEnumType(LawfulBasis, { name: 'LawfulBasis' });
