import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword, temporaryPassword } from '../modules/account/password.service';
import type { DemoUser } from './demo-data';

export interface DemoPassword extends DemoUser {
  password: string;
}

/**
 * Gives every demo user a fresh random password (only hashes are stored, so a restart prints new
 * ones) and prints them for the person at the terminal: the field app at /app signs in with them.
 */
export async function setDemoPasswords(
  em: EntityManager,
  users: DemoUser[],
): Promise<DemoPassword[]> {
  const out: DemoPassword[] = [];
  for (const user of users) {
    const password = temporaryPassword();
    await em.execute(
      `insert into user_password (id, created_at, updated_at, user_id, hash, failed_attempts, must_change)
       values (gen_random_uuid(), now(), now(), ?, ?, 0, false)
       on conflict (user_id) do update set hash = excluded.hash, failed_attempts = 0,
         locked_until = null, must_change = false, expires_at = null, updated_at = now()`,
      [user.userId, await hashPassword(password)],
    );
    out.push({ ...user, password });
  }
  return out;
}

export function printDemoPasswords(appUrl: string, passwords: DemoPassword[]): void {
  const lines = [
    '',
    `Demo sign-in for the field app at ${appUrl} (new passwords on every start):`,
    '',
  ];
  for (const p of passwords) lines.push(`  ${p.email.padEnd(36)} ${p.password}   ${p.role}`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
