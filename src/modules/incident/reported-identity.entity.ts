import { Entity, Enum, OneToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { RaceEthnicity, Sex } from '../person/person-codes';
import { OverdoseIncident } from './incident.entity';

/**
 * The survivor's identity and contact details exactly as one reporter entered them on one report:
 * the reporter's values (identity follows its sources, DESIGN.md). The reporting agency is the
 * incident's; another agency reads them only under an agreement with it (rules/source-visible.ts).
 * The reporter itself reads back only the name and date of birth, never phone or address.
 * Encrypted at rest, except the state code and the demographics.
 */
@Entity({ tableName: 'reported_identity' })
export class ReportedIdentity extends HubEntity {
  @OneToOne(() => OverdoseIncident, { ref: true, owner: true, unique: true, deleteRule: 'cascade' })
  incident!: Ref<OverdoseIncident>;

  @Property({ type: EncryptedText, nullable: true })
  firstName?: string;

  @Property({ type: EncryptedText, nullable: true })
  lastName?: string;

  @Property({ type: EncryptedText, nullable: true })
  dateOfBirth?: string;

  @Property({ type: EncryptedText, nullable: true })
  phone?: string;

  @Property({ type: EncryptedText, nullable: true })
  street?: string;

  @Property({ type: EncryptedText, nullable: true })
  city?: string;

  @Property({ type: 'character', length: 2, nullable: true })
  state?: string;

  @Property({ type: EncryptedText, nullable: true })
  zip?: string;

  @Enum({ items: () => Sex, nullable: true, nativeEnumName: 'sex' })
  sex?: Sex;

  @Enum({ items: () => RaceEthnicity, array: true, nativeEnumName: 'race_ethnicity' })
  raceEthnicity: Opt<RaceEthnicity[]> = [];
}
