import { reencryptIdentity } from '../modules/person/identity-reencrypt.service';
import { CliError } from './errors';
import { print, printTable } from './output';
import type { CliSession } from './session';

/**
 * `reencrypt-identity`: after a new key is made active (IDENTITY_ACTIVE_KEY, the old key still in
 * IDENTITY_KEYS), moves every identity value to it, and encrypts legacy plaintext rows. Prints
 * counts only, never a value. Safe to run again; when it reports nothing left on older keys, the
 * old key may be removed from IDENTITY_KEYS.
 */
export async function reencryptIdentityCommand(
  { em, config }: CliSession,
  options: { batchSize?: number },
): Promise<void> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new CliError('--batch-size: must be a whole number from 1 to 10000');
  }
  const summary = await reencryptIdentity(em, config.identityKeys, batchSize);
  print(`active identity key: ${config.identityKeys.activeKeyId}`);
  printTable(
    [
      'TABLE',
      'ROWS',
      'CURRENT',
      'RE-ENCRYPTED',
      'ENCRYPTED (WAS PLAINTEXT)',
      'SKIPPED',
      'UNREADABLE',
    ],
    Object.entries(summary).map(([table, s]) => [
      table,
      String(s.rows),
      String(s.current),
      String(s.reencrypted),
      String(s.encrypted),
      String(s.skipped),
      String(s.unreadable),
    ]),
    'no identity rows',
  );
  const skipped = Object.values(summary).reduce((n, s) => n + s.skipped, 0);
  const unreadable = Object.values(summary).reduce((n, s) => n + s.unreadable, 0);
  if (skipped > 0) {
    print(`${skipped} row(s) changed while this ran; run the command again for them`);
  }
  if (unreadable > 0) {
    print(
      `${unreadable} row(s) hold a value no key in IDENTITY_KEYS decrypts: keep every old key ` +
        'until this reports none (or the rows were altered outside the hub)',
    );
  }
  if (skipped > 0 || unreadable > 0) process.exitCode = 1;
}
