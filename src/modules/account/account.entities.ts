import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { User } from '../agency/user.entity';

/** How a session was opened; kept for the audit trail and for "sign out everywhere". */
export enum SignInMethod {
  PASSWORD = 'PASSWORD',
  PASSKEY = 'PASSKEY',
  OIDC = 'OIDC',
}

/**
 * A hub-local password (argon2id). A table of its own rather than columns on app_user: most
 * users of an agency with an identity provider never have one, and the hash never rides along
 * when a user row is loaded.
 */
@Entity({ tableName: 'user_password' })
export class UserPassword extends HubEntity {
  @ManyToOne(() => User, { ref: true, unique: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text', lazy: true })
  hash!: string;

  /** Failed sign-ins since the last success; reaching the limit locks the account for a while. */
  @Property({ type: 'integer' })
  failedAttempts: Opt<number> = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedUntil?: Date;

  /** Set by an admin's reset: the temporary password only lets the user choose a new one. */
  @Property({ type: 'boolean' })
  mustChange: Opt<boolean> = false;

  /** A reset's temporary password stops working after this. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt?: Date;
}

/**
 * One signed-in device. The refresh token is random and stored only as a SHA-256 hash; each use
 * replaces it (rotation). A token that was already replaced coming back means it was copied:
 * the whole session ends (reuse detection).
 */
@Entity({ tableName: 'auth_session' })
@Index({ properties: ['user', 'revokedAt'] })
export class AuthSession extends HubEntity {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => SignInMethod, nativeEnumName: 'sign_in_method' })
  method!: SignInMethod;

  @Property({ type: 'text', unique: true })
  refreshHash!: string;

  /** The hash the current one replaced: seeing it again is a replay. */
  @Property({ type: 'text', nullable: true, index: true })
  previousHash?: string;

  /** Refresh no longer works after this; each refresh moves it forward (idle timeout). */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt?: Date;

  /** SIGN_OUT, SIGN_OUT_EVERYWHERE, ENDED_BY_ADMIN, REFRESH_REUSED, PASSWORD_RESET, DEACTIVATED */
  @Property({ type: 'text', nullable: true })
  revokedReason?: string;
}

/** A WebAuthn credential (passkey) registered by a signed-in user. */
@Entity({ tableName: 'passkey_credential' })
export class PasskeyCredential extends HubEntity {
  @ManyToOne(() => User, { ref: true, index: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** base64url credential id, as the browser reports it. */
  @Property({ type: 'text', unique: true })
  credentialId!: string;

  /** base64url COSE public key. */
  @Property({ type: 'text' })
  publicKey!: string;

  @Property({ type: 'bigint' })
  counter: Opt<number> = 0;

  @Property({ type: 'text[]' })
  transports: Opt<string[]> = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt?: Date;
}

/** What reminders a user wants, and where. Counts only ever; never a name or the overdose. */
@Entity({ tableName: 'notification_setting' })
export class NotificationSetting extends HubEntity {
  @ManyToOne(() => User, { ref: true, unique: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'boolean' })
  byPush: Opt<boolean> = false;

  @Property({ type: 'boolean' })
  byEmail: Opt<boolean> = false;

  /** en or es: the language of the reminder text. */
  @Property({ type: 'text' })
  language: Opt<string> = 'en';

  /** Everything before this has been told; the next reminder counts what came after. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastNotifiedAt?: Date;
}

/** A browser's Web Push subscription (endpoint and keys), one per device. */
@Entity({ tableName: 'push_subscription' })
export class PushSubscriptionRecord extends HubEntity {
  @ManyToOne(() => User, { ref: true, index: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text', unique: true })
  endpoint!: string;

  @Property({ type: 'text' })
  p256dh!: string;

  @Property({ type: 'text' })
  auth!: string;
}

export const ACCOUNT_ENTITIES = [
  UserPassword,
  AuthSession,
  PasskeyCredential,
  NotificationSetting,
  PushSubscriptionRecord,
];
