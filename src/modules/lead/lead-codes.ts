import { registerEnumType } from 'type-graphql';

/** The three LEAD referral doors. */
export enum LeadDoor {
  ARREST_DIVERSION = 'ARREST_DIVERSION',
  SOCIAL_CONTACT = 'SOCIAL_CONTACT',
  COMMUNITY = 'COMMUNITY',
}

export enum LeadStatus {
  REFERRED = 'REFERRED',
  INTAKE_PENDING = 'INTAKE_PENDING',
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
  EXITED = 'EXITED',
}

export enum LeadExitReason {
  INTAKE_NOT_COMPLETED = 'INTAKE_NOT_COMPLETED',
  COMPLETED_GOALS = 'COMPLETED_GOALS',
  DECLINED = 'DECLINED',
  MOVED = 'MOVED',
  DECEASED = 'DECEASED',
  OTHER = 'OTHER',
}

registerEnumType(LeadDoor, { name: 'LeadDoor' });
registerEnumType(LeadStatus, { name: 'LeadStatus' });
registerEnumType(LeadExitReason, { name: 'LeadExitReason' });
