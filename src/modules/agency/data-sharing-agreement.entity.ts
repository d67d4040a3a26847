import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from './agency.entity';
import { AgreementPurpose, LawfulBasis } from './agreement-codes';

/**
 * Permission for identity to flow from a reporting agency to a recipient, for one purpose, in
 * some counties, for a period. Without an active one a routed case stays sealed.
 */
@Entity({ tableName: 'data_sharing_agreement' })
@Index({ properties: ['sourceAgency', 'recipientAgency'] })
export class DataSharingAgreement extends HubEntity {
  @ManyToOne(() => Agency, { ref: true })
  sourceAgency!: Ref<Agency>;

  @ManyToOne(() => Agency, { ref: true, index: true })
  recipientAgency!: Ref<Agency>;

  @Enum({ items: () => AgreementPurpose, nativeEnumName: 'agreement_purpose' })
  purpose!: AgreementPurpose;

  @Enum({ items: () => LawfulBasis, nativeEnumName: 'lawful_basis' })
  lawfulBasis!: LawfulBasis;

  /** County FIPS codes the agreement covers. */
  @Property({ type: 'text[]', columnType: 'text[]' })
  counties!: string[];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  effectiveFrom!: Date;

  /** Exclusive end; null while open-ended. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  effectiveTo?: Date;

  /** Set when ended early by the hub admin. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt?: Date;

  @Property({ type: 'text', nullable: true })
  endedReason?: string;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
