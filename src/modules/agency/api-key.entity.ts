import { Entity, Enum, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Role } from '../../common/role';
import { Agency } from './agency.entity';
import { User } from './user.entity';

/** Credentials for a machine client (an ePCR system, a police RMS), bound to one agency and role. */
@Entity({ tableName: 'api_key' })
export class ApiKey extends HubEntity {
  @ManyToOne(() => Agency, { ref: true, index: true })
  agency!: Ref<Agency>;

  @Enum({ items: () => Role, nativeEnumName: 'hub_role' })
  role!: Role;

  /** What the key is for, e.g. "County EMS ePCR"; shown to admins. */
  @Property({ type: 'text' })
  label!: string;

  /** The public first part of the key, shown to admins so a key can be recognised. */
  @Property({ type: 'text', unique: true })
  prefix!: string;

  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  @Property({ type: 'text', hidden: true })
  secretHash!: string;

  @ManyToOne(() => User, { ref: true, nullable: true })
  createdBy?: Ref<User>;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt?: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt?: Date;
}
