import {
  Collection,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OneToMany,
  Property,
  ref,
  Unique,
  type Opt,
  type Ref,
} from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedNumber } from '../../crypto/encrypted-number.type';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { Agency } from '../agency/agency.entity';
import { AgeBand } from '../person/age-band';
import { Person } from '../person/person.entity';
import {
  EmsDisposition,
  OverdoseSource,
  PeerContactAnswer,
  SuspectedSubstance,
} from './incident-codes';
import { NaloxoneAdministration } from './naloxone-administration.entity';
import { OverdoseEvent } from './overdose-event.entity';

/**
 * One overdose as a reporting agency saw it. Holds no identity: the survivor is a reference into
 * the person vault, and the identity as entered lives in ReportedIdentity.
 */
@Entity({ tableName: 'overdose_incident' })
@Unique({ properties: ['reportingAgency', 'externalId'] })
@Index({ properties: ['reportingAgency', 'occurredAt'] })
// County and time: the rolling 24-hour spike count of a county (modules/spike).
@Index({ properties: ['county', 'occurredAt'] })
export class OverdoseIncident extends HubEntity {
  @ManyToOne(() => Agency, { ref: true })
  reportingAgency!: Ref<Agency>;

  /** The reporter's own id (PCR number, RMS case number); a retried report carries the same. */
  @Property({ type: 'text' })
  externalId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  /** Five-digit county FIPS code. */
  @Property({ type: 'character', length: 5 })
  county!: string;

  // The place is often the survivor's home: street, city, ZIP and coordinates are encrypted like
  // identity and purged with it by retention (retention.service.ts); `h3Cell` stays for statistics.
  @Property({ type: EncryptedText, nullable: true })
  street?: string;

  @Property({ type: EncryptedText, nullable: true })
  city?: string;

  @Property({ type: 'character', length: 2, nullable: true })
  state?: string;

  @Property({ type: EncryptedText, nullable: true })
  zip?: string;

  @Property({ type: EncryptedNumber, nullable: true })
  latitude?: number;

  @Property({ type: EncryptedNumber, nullable: true })
  longitude?: number;

  /**
   * The H3 cell (resolution 7, about 5 km²) of the coordinates: coarse enough to keep for
   * statistics after the exact place is purged. Set from the coordinates (incident-data.ts).
   */
  // Named explicitly: the naming strategy would make `h3Cell` "h3cell".
  @Property({ type: 'text', nullable: true, fieldName: 'h3_cell' })
  h3Cell?: string;

  @Property({ type: 'boolean' })
  fatal!: boolean;

  @Enum({ items: () => SuspectedSubstance, array: true, nativeEnumName: 'suspected_substance' })
  suspectedSubstances: Opt<SuspectedSubstance[]> = [];

  @Enum({ items: () => EmsDisposition, nullable: true, nativeEnumName: 'ems_disposition' })
  emsDisposition?: EmsDisposition;

  /** An officer handed the person over on scene and left (DESIGN.md: who was present matters). */
  @Property({ type: 'boolean' })
  officerWarmHandoff: Opt<boolean> = false;

  /** A 911 response, or a community reversal (counted under its own source). */
  @Enum({
    items: () => OverdoseSource,
    nativeEnumName: 'overdose_source',
    default: 'EMERGENCY_RESPONSE',
  })
  source: Opt<OverdoseSource> = OverdoseSource.EMERGENCY_RESPONSE;

  /** Naloxone kits the reporter left with the person or those around them (DESIGN.md: counted). */
  @Property({ type: 'integer', nullable: true })
  naloxoneKitsLeftBehind?: number;

  /** The person's answer at the scene to "may a peer contact you?" (null: not recorded). */
  @Enum({ items: () => PeerContactAnswer, nullable: true, nativeEnumName: 'peer_contact_answer' })
  consentToPeerContact?: PeerContactAnswer;

  /** Survivor's age band at the overdose, from the reported date of birth (never the date itself). */
  @Enum({ items: () => AgeBand, nullable: true, nativeEnumName: 'age_band' })
  ageBand?: AgeBand;

  @ManyToOne(() => Person, { ref: true, nullable: true, index: true })
  person?: Ref<Person>;

  /**
   * The overdose this report is a source of. Its own id when it opened the event (the index
   * report, counted once); another report's when it joined as a co-report or was merged.
   * By default its own: the event is then written by the trigger overdose_incident_own_event
   * (migration overdose_events) from the report's own columns, for every writer alike.
   */
  @ManyToOne(() => OverdoseEvent, { ref: true, index: true })
  event: Opt<Ref<OverdoseEvent>> = ref(OverdoseEvent, this.id);

  @OneToMany(() => NaloxoneAdministration, (n) => n.incident, {
    orderBy: { administeredAt: 'asc' },
  })
  naloxoneAdministrations = new Collection<NaloxoneAdministration>(this);

  /** Who sent it: a user id or an API key id (no foreign key: either table). */
  @Property({ type: 'uuid' })
  reportedById!: string;

  /** The case definition (name and version) that admitted it, when the hub classified it (imports). */
  @Property({ type: 'text', nullable: true })
  caseDefinition?: string;

  @Property({ type: 'integer', nullable: true })
  caseDefinitionVersion?: number;

  /**
   * Taken as history (a backfill of records older than MAX_INCIDENT_AGE_DAYS): counted and
   * linked like any report, never routed for a follow-up.
   */
  @Property({ type: 'boolean', default: false })
  historical: Opt<boolean> = false;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
