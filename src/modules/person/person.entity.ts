import { Entity, Enum, Property, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { RaceEthnicity, Sex } from './person-codes';

/**
 * A survivor as the hub links them: a pseudonymous key and the person's standing wish not to be
 * contacted. It holds no identity or contact value: those are stored with the agency that
 * recorded them (identity follows its sources, DESIGN.md) — what a reporter entered in
 * ReportedIdentity (one per report), what an outreach agency recorded in ContactRecord (one per
 * agency) — and a reader is served only the sources it may see (identity-view.ts). The key links
 * repeat overdoses, counts prior cases and informs routing; it never carries a value across
 * agencies. Sex and race/ethnicity stay here for equity statistics (never served from here).
 */
@Entity({ tableName: 'person' })
export class Person extends HubEntity {
  /**
   * Keyed HMAC of normalised name + date of birth: links repeat overdoses across agencies without
   * exposing identity. Null when the report lacked a name or date of birth (no safe match).
   */
  @Property({ type: 'text', nullable: true, unique: true })
  personKey?: string;

  @Enum({ items: () => Sex, nullable: true, nativeEnumName: 'sex' })
  sex?: Sex;

  @Enum({ items: () => RaceEthnicity, array: true, nativeEnumName: 'race_ethnicity' })
  raceEthnicity: Opt<RaceEthnicity[]> = [];

  /**
   * "Don't contact me", set only at the person's explicit wish: while it holds (do-not-contact.ts)
   * no agency may reach out, and a new overdose opens a case DO_NOT_CONTACT_ON_FILE.
   */
  @Property({ type: 'boolean' })
  doNotContact: Opt<boolean> = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  doNotContactSince?: Date;

  /** When the wish comes up for review: it lapses then (rules/do-not-contact.ts). */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  doNotContactReviewOn?: Date;
}
