import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { badInput, notFound } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import { ActorKind, AuditOutcome } from '../audit/audit-codes';
import { User } from '../agency/user.entity';
import { AccountAction, EndReason } from './account-codes';
import { endAllSessions } from './session.service';

/**
 * OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane); the library's defaults are the same, set
 * here so an upgrade of the library cannot weaken them silently.
 */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 } as const;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 200;

/** A hash of nothing anyone knows: an unknown email costs the same time as a wrong password. */
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= argon2Hash(randomBytes(16).toString('hex'), ARGON2));

export const hashPassword = (password: string) => argon2Hash(password, ARGON2);

export type PasswordCheck =
  | { kind: 'OK'; viewer: Viewer }
  | { kind: 'CHANGE_REQUIRED'; viewer: Viewer }
  | { kind: 'INVALID' }
  | { kind: 'LOCKED'; minutes: number };

interface AccountRow {
  user_id: string;
  role: Role;
  agency_id: string;
  agency_kind: Viewer['agencyKind'];
  runs_follow_up: boolean;
  password_id: string | null;
  hash: string | null;
  failed_attempts: number | null;
  locked_until: Date | string | null;
  must_change: boolean | null;
  expires_at: Date | string | null;
}

/** Loads an active user (of an active agency) by email or id, with their password row if any. */
async function account(
  em: EntityManager,
  where: 'email' | 'id',
  value: string,
): Promise<AccountRow | undefined> {
  const [row] = await em.execute<AccountRow[]>(
    `select u.id as user_id, u.role, u.agency_id, a.kind as agency_kind, a.runs_follow_up,
            p.id as password_id,
            p.hash, p.failed_attempts, p.locked_until, p.must_change, p.expires_at
       from app_user u join agency a on a.id = u.agency_id
       left join user_password p on p.user_id = u.id
      where ${where === 'email' ? 'u.email = lower(?)' : 'u.id = ?::uuid'} and u.active and a.active`,
    [value],
  );
  return row;
}

export const viewerOf = (row: {
  user_id: string;
  role: Role;
  agency_id: string;
  agency_kind: Viewer['agencyKind'];
  runs_follow_up?: boolean;
}): Viewer => ({
  kind: 'USER',
  userId: row.user_id,
  agencyId: row.agency_id,
  agencyKind: row.agency_kind,
  runsFollowUp: row.runs_follow_up,
  role: row.role,
});

/** Active user by id as a Viewer, or null. */
export async function viewerOfUser(em: EntityManager, userId: string): Promise<Viewer | null> {
  const row = await account(em, 'id', userId);
  return row ? viewerOf(row) : null;
}

/**
 * Checks an email and password. Wrong answers count; at the limit the account locks for a while
 * (and a locked account is not even checked, so guessing cannot go on). Every refusal is audited.
 */
export async function checkPassword(
  em: EntityManager,
  config: ReadyConfig,
  email: string,
  password: string,
  requestId: string,
): Promise<PasswordCheck> {
  const row = email.length <= 320 ? await account(em, 'email', email.trim()) : undefined;
  if (!row?.hash || !row.password_id) {
    await argon2Verify(await decoy(), password).catch(() => false);
    await recordAuditEvent(em, {
      actorKind: ActorKind.ANONYMOUS,
      action: AccountAction.SIGN_IN_FAILED,
      outcome: AuditOutcome.DENIED,
      errorCode: 'UNKNOWN_ACCOUNT',
      requestId,
    });
    return { kind: 'INVALID' };
  }
  const viewer = viewerOf(row);
  // Raw rows carry timestamps as the driver gives them (a string on some drivers).
  const lockedUntil = row.locked_until ? new Date(row.locked_until).getTime() : 0;
  if (lockedUntil > Date.now()) {
    await recordAuditEvent(em, {
      viewer,
      action: AccountAction.SIGN_IN_FAILED,
      outcome: AuditOutcome.DENIED,
      errorCode: 'LOCKED',
      requestId,
    });
    return { kind: 'LOCKED', minutes: Math.ceil((lockedUntil - Date.now()) / 60_000) };
  }
  const matches =
    password.length <= MAX_PASSWORD_LENGTH &&
    (await argon2Verify(row.hash, password).catch(() => false));
  const expired = row.expires_at !== null && new Date(row.expires_at).getTime() <= Date.now();
  if (!matches || expired) {
    const failures = (row.failed_attempts ?? 0) + 1;
    const lock = failures >= config.account.maxFailedSignIns;
    await em.execute(
      `update user_password set failed_attempts = ?, locked_until = ?, updated_at = now() where id = ?`,
      [
        lock ? 0 : failures,
        lock ? new Date(Date.now() + config.account.lockMinutes * 60_000) : null,
        row.password_id,
      ],
    );
    await recordAuditEvent(em, {
      viewer,
      action: lock ? AccountAction.ACCOUNT_LOCKED : AccountAction.SIGN_IN_FAILED,
      outcome: AuditOutcome.DENIED,
      errorCode: expired ? 'EXPIRED' : 'WRONG_PASSWORD',
      requestId,
      details: { failures },
    });
    return lock ? { kind: 'LOCKED', minutes: config.account.lockMinutes } : { kind: 'INVALID' };
  }
  await em.execute(
    `update user_password set failed_attempts = 0, locked_until = null, updated_at = now() where id = ?`,
    [row.password_id],
  );
  return row.must_change ? { kind: 'CHANGE_REQUIRED', viewer } : { kind: 'OK', viewer };
}

/** A new password must be long enough and not the one it replaces; problems name the field. */
export function newPasswordProblem(password: unknown, current?: string): string | null {
  if (typeof password !== 'string') return 'is required';
  if (password.length < MIN_PASSWORD_LENGTH)
    return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (current !== undefined && password === current) return 'must differ from the current one';
  return null;
}

/** Sets a user's own password (after a check of the current one by the caller). */
export async function setPassword(
  em: EntityManager,
  viewer: Viewer,
  password: string,
  requestId: string,
): Promise<void> {
  await em.execute(
    `insert into user_password (id, created_at, updated_at, user_id, hash, failed_attempts, must_change)
     values (gen_random_uuid(), now(), now(), ?, ?, 0, false)
     on conflict (user_id) do update set hash = excluded.hash, failed_attempts = 0,
       locked_until = null, must_change = false, expires_at = null, updated_at = now()`,
    [viewer.userId, await hashPassword(password)],
  );
  await recordAuditEvent(em, { viewer, action: AccountAction.PASSWORD_CHANGED, requestId });
}

/** Readable, typeable on a phone, ~95 bits: 16 characters of a 62-letter alphabet. */
export function temporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * An agency admin (own agency) or the hub admin gives a user a temporary password: it works once,
 * to choose a new one, until it expires; the user's sessions end and any lock is lifted.
 */
export async function resetPasswordByAdmin(
  em: EntityManager,
  config: ReadyConfig,
  viewer: Viewer,
  userId: string,
): Promise<{ temporaryPassword: string; expiresAt: Date }> {
  const user = await findManagedUser(em, viewer, userId);
  const password = temporaryPassword();
  const expiresAt = new Date(Date.now() + config.account.resetPasswordHours * 3_600_000);
  await em.transactional(async (tx) => {
    await tx.execute(
      `insert into user_password (id, created_at, updated_at, user_id, hash, failed_attempts, must_change, expires_at)
       values (gen_random_uuid(), now(), now(), ?, ?, 0, true, ?)
       on conflict (user_id) do update set hash = excluded.hash, failed_attempts = 0,
         locked_until = null, must_change = true, expires_at = excluded.expires_at, updated_at = now()`,
      [user.id, await hashPassword(password), expiresAt],
    );
    await endAllSessions(tx, user.id, EndReason.PASSWORD_RESET);
  });
  return { temporaryPassword: password, expiresAt };
}

/**
 * A user the caller administers: an agency admin's own agency's users; every user for the hub
 * admin. Anyone else's answers NOT_FOUND, like a missing id.
 */
export async function findManagedUser(
  em: EntityManager,
  viewer: Viewer,
  userId: string,
): Promise<User> {
  const user = await em.findOne(User, { id: userId });
  if (!user || (viewer.role !== Role.HUB_ADMIN && user.agency.id !== viewer.agencyId)) {
    throw notFound('User');
  }
  return user;
}

export function requireUuid(field: string, value: string): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw badInput({ field, message: `${field} must be an id` });
  }
}
