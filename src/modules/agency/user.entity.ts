import { Entity, Enum, ManyToOne, Property, type Ref, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Role } from '../../common/role';
import { Agency } from './agency.entity';

/** A person who signs in: staff of an agency. Never a survivor (those live in the person vault). */
@Entity({ tableName: 'app_user' })
export class User extends HubEntity {
  @ManyToOne(() => Agency, { ref: true, index: true })
  agency!: Ref<Agency>;

  @Enum({ items: () => Role, nativeEnumName: 'hub_role' })
  role!: Role;

  @Property({ type: 'text' })
  displayName!: string;

  /** Lower-cased; unique so that one sign-in maps to one account. */
  @Property({ type: 'text', unique: true })
  email!: string;

  /** The `sub` an agency's own identity provider puts in its tokens, when it is not our id. */
  @Property({ type: 'text', nullable: true, unique: true })
  externalSubject?: string;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;
}
