import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { Case } from '../case/case.entity';
import { Person } from '../person/person.entity';
import { ConsentMethod, ConsentScope } from './outreach-codes';

/**
 * What the person agreed to, with whom, until when. Recorded by the outreach worker on a case;
 * an expired or revoked consent covers nothing.
 */
@Entity({ tableName: 'consent' })
@Index({ properties: ['person', 'scope'] })
export class Consent extends HubEntity {
  @ManyToOne(() => Person, { ref: true })
  person!: Ref<Person>;

  /**
   * The case it was recorded on. A LEAD release for a police referral made without an overdose
   * has none: it is found through the person (consent-read.ts loadLeadReleases).
   */
  @ManyToOne(() => Case, { ref: true, index: true, nullable: true, deleteRule: 'no action' })
  case?: Ref<Case>;

  @Enum({ items: () => ConsentScope, nativeEnumName: 'consent_scope' })
  scope!: ConsentScope;

  /** The agency the person agreed may receive or act on the information. */
  @ManyToOne(() => Agency, { ref: true })
  grantedTo!: Ref<Agency>;

  /** A LEAD release may also name the referring police department (for the enrolled flag). */
  @Property({ type: 'boolean' })
  coversPolice: Opt<boolean> = false;

  @Property({ type: 'text' })
  purpose!: string;

  @Enum({ items: () => ConsentMethod, nativeEnumName: 'consent_method' })
  method!: ConsentMethod;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  grantedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt?: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt?: Date;

  @Property({ type: 'text', nullable: true })
  revocationReason?: string;

  @Property({ type: 'uuid' })
  recordedById!: string;

  /**
   * 42 CFR Part 2 label: the Part 2 program whose record this is, or null. Stamped by the
   * database at insert (migration part2_labels) and never changed, so a later change of the
   * agency's flag does not relabel history; read back on insert (defaultRaw). modules/part2.
   */
  @Property({ type: 'uuid', nullable: true, defaultRaw: 'null', fieldName: 'part2_program_id' })
  part2ProgramId?: Opt<string>;
}
