import type { EntityManager } from '@mikro-orm/postgresql';
import {
  encryptField,
  FieldDecryptionError,
  keyIdOf,
  readField,
  type KeyRing,
} from '../../crypto/field-cipher';

/** The encrypted identity columns, per table (see the EncryptedText properties of the entities). */
export const ENCRYPTED_COLUMNS = {
  reported_identity: ['first_name', 'last_name', 'date_of_birth', 'phone', 'street', 'city', 'zip'],
  contact_record: [
    'first_name',
    'last_name',
    'date_of_birth',
    'phone',
    'street',
    'city',
    'zip',
    'safe_contact_times',
  ],
  // The place of an overdose and visit notes are protected like identity (issue 14 point 7).
  overdose_incident: ['street', 'city', 'zip', 'latitude', 'longitude'],
  // An event keeps a copy of its first report's place (workflow/co-report.ts matches on it).
  overdose_event: ['latitude', 'longitude'],
  outreach_attempt: ['notes'],
  family_contact: ['name', 'phone'],
  lead_referral: [
    'subject_first_name',
    'subject_last_name',
    'subject_date_of_birth',
    'where_to_find',
    'contact',
  ],
} as const;

export interface TableSummary {
  rows: number;
  /** Values already under the active key. */
  current: number;
  /** Values moved from an older key to the active one. */
  reencrypted: number;
  /** Legacy plaintext values (written before encryption) now encrypted. */
  encrypted: number;
  /** Rows changed by someone else between read and write: left for the next run. */
  skipped: number;
  /** Rows with a value no key of the ring can decrypt (key removed too early, tampering). */
  unreadable: number;
}

export type ReencryptSummary = Record<keyof typeof ENCRYPTED_COLUMNS, TableSummary>;

/**
 * Re-encrypts every identity value that is not under the active key (older key, or legacy
 * plaintext), in batches of `batchSize` rows, one transaction per batch. Raw SQL on purpose: the
 * ORM treats a value that decrypts to the same text as unchanged. A row is only rewritten if its
 * values are still the ones read, so a concurrent edit is never overwritten. Idempotent: a second
 * run finds everything current.
 */
export async function reencryptIdentity(
  em: EntityManager,
  ring: KeyRing,
  batchSize = 500,
): Promise<ReencryptSummary> {
  return {
    reported_identity: await reencryptTable(em, ring, 'reported_identity', batchSize),
    contact_record: await reencryptTable(em, ring, 'contact_record', batchSize),
    overdose_incident: await reencryptTable(em, ring, 'overdose_incident', batchSize),
    overdose_event: await reencryptTable(em, ring, 'overdose_event', batchSize),
    outreach_attempt: await reencryptTable(em, ring, 'outreach_attempt', batchSize),
    family_contact: await reencryptTable(em, ring, 'family_contact', batchSize),
    lead_referral: await reencryptTable(em, ring, 'lead_referral', batchSize),
  };
}

async function reencryptTable(
  em: EntityManager,
  ring: KeyRing,
  table: keyof typeof ENCRYPTED_COLUMNS,
  batchSize: number,
): Promise<TableSummary> {
  const columns = ENCRYPTED_COLUMNS[table];
  const summary: TableSummary = {
    rows: 0,
    current: 0,
    reencrypted: 0,
    encrypted: 0,
    skipped: 0,
    unreadable: 0,
  };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await em.fork().transactional(async (tx) => {
      const batch = await tx.execute<Array<Record<string, string | null>>>(
        `select id, ${columns.join(', ')} from ${table} where id > ? order by id limit ?`,
        [after, batchSize],
      );
      for (const row of batch) await reencryptRow(tx, ring, table, columns, row, summary);
      return batch;
    });
    summary.rows += rows.length;
    if (rows.length < batchSize) return summary;
    after = rows[rows.length - 1].id as string;
  }
}

async function reencryptRow(
  tx: EntityManager,
  ring: KeyRing,
  table: string,
  columns: readonly string[],
  row: Record<string, string | null>,
  summary: TableSummary,
): Promise<void> {
  const changes: Array<{ column: string; from: string; to: string; legacy: boolean }> = [];
  for (const column of columns) {
    const stored = row[column];
    if (stored === null || stored === undefined) continue;
    const keyId = keyIdOf(stored);
    if (keyId === ring.activeKeyId) {
      summary.current += 1;
      continue;
    }
    let plaintext: string;
    try {
      plaintext = readField(ring, stored);
    } catch (error) {
      if (!(error instanceof FieldDecryptionError)) throw error;
      // One bad row must not stop the rest from moving; it is counted and left as it is.
      summary.unreadable += 1;
      return;
    }
    changes.push({
      column,
      from: stored,
      to: encryptField(ring, plaintext),
      legacy: keyId === undefined,
    });
  }
  if (changes.length === 0) return;
  const result = await tx.execute<{ affectedRows: number }>(
    `update ${table} set ${changes.map((c) => `${c.column} = ?`).join(', ')}
      where id = ? and ${changes.map((c) => `${c.column} = ?`).join(' and ')}`,
    [...changes.map((c) => c.to), row.id, ...changes.map((c) => c.from)],
    'run',
  );
  if (result.affectedRows !== 1) {
    summary.skipped += 1;
    return;
  }
  // Counted per value; a row that is `current` in some columns counted those above.
  for (const change of changes) {
    if (change.legacy) summary.encrypted += 1;
    else summary.reencrypted += 1;
  }
}
