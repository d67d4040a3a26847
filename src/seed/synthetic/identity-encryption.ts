import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MetadataStorage } from '@mikro-orm/core';
import { EncryptedNumber } from '../../crypto/encrypted-number.type';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { bulkFieldEncryptor, type KeyRing } from '../../crypto/field-cipher';
import { TABLES, type TableName } from './tables';

/** Per table, the positions (in TABLES order) of the columns the hub stores encrypted. */
export type EncryptedColumns = Partial<Record<TableName, number[]>>;

/**
 * The columns the seeder must encrypt, read from the entities: every property of type
 * EncryptedText or EncryptedNumber (the incident's coordinates), as the hub's own writes (and json-insert.ts) apply it. A column the hub
 * encrypts cannot be written in plain text by mistake, and a new one is picked up.
 */
export function encryptedColumnsOf(metadata: MetadataStorage): EncryptedColumns {
  const result: EncryptedColumns = {};
  for (const meta of Object.values(metadata.getAll())) {
    const table = meta.tableName as TableName;
    if (!(table in TABLES)) continue;
    const names = new Set(
      Object.values(meta.properties)
        .filter(
          (p) => p.customType instanceof EncryptedText || p.customType instanceof EncryptedNumber,
        )
        .flatMap((p) => p.fieldNames ?? []),
    );
    const positions = TABLES[table]
      .map(([name], i) => (names.has(name) ? i : -1))
      .filter((i) => i >= 0);
    if (positions.length > 0) result[table] = positions;
  }
  return result;
}

const UNESCAPE = /\\([\\tnr])/g;
const unescapeText = (text: string): string =>
  text.includes('\\')
    ? text.replace(UNESCAPE, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!)
    : text;

/**
 * COPY text (copy-rows.ts) with the plain values of the given columns replaced by their
 * ciphertext (`v1:<key>:<iv>:<tag>:<data>`, which holds nothing COPY would need escaped).
 */
export function encryptCopyText(
  encrypt: (plaintext: string) => string,
  text: string,
  columns: readonly number[],
): string {
  if (text === '' || columns.length === 0) return text;
  const lines = text.split('\n');
  // The text ends with a newline: the last element is empty.
  for (let l = 0; l < lines.length - 1; l++) {
    const cells = lines[l].split('\t');
    for (const c of columns) {
      if (cells[c] !== '\\N') cells[c] = encrypt(unescapeText(cells[c]));
    }
    lines[l] = cells.join('\t');
  }
  return lines.join('\n');
}

export interface WorkerRequest {
  id: number;
  text: string;
  columns: number[];
}
export interface WorkerReply {
  id: number;
  text?: string;
  error?: string;
}
export interface WorkerKeys {
  activeKeyId: string;
  keys: Array<[string, Uint8Array]>;
}

/**
 * Encrypts the identity columns of COPY text off the main thread: AES-GCM for ~7 million values
 * is a third of a million-incident seed's CPU, and the generator (which cannot be split) runs on
 * the main thread. Uses a worker thread when the compiled worker script is there (`npm run
 * seed:synthetic` runs the build), otherwise the same function inline (tests run the sources).
 */
export class IdentityEncryptor {
  private worker?: Worker;
  private readonly inline: (plaintext: string) => string;
  private readonly waiting = new Map<
    number,
    { resolve: (text: string) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;

  constructor(
    ring: KeyRing,
    private readonly columns: EncryptedColumns,
    useWorker = true,
  ) {
    this.inline = bulkFieldEncryptor(ring);
    const script = join(__dirname, 'identity-encryption.worker.js');
    if (!useWorker || !existsSync(script)) return;
    const workerData: WorkerKeys = {
      activeKeyId: ring.activeKeyId,
      keys: [...ring.keys].map(([id, key]) => [id, new Uint8Array(key)]),
    };
    this.worker = new Worker(script, { workerData });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker?.unref();
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.text!);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`encryption worker exited (${code})`)));
    // An idle worker must not keep the process alive (it is ref'd while a request is out).
    this.worker.unref();
  }

  get threaded(): boolean {
    return this.worker !== undefined;
  }

  encrypts(table: TableName): boolean {
    return (this.columns[table]?.length ?? 0) > 0;
  }

  /** The table's COPY text with its encrypted columns encrypted. */
  encrypt(table: TableName, text: string): Promise<string> {
    const columns = this.columns[table] ?? [];
    if (columns.length === 0 || text === '') return Promise.resolve(text);
    if (!this.worker) return Promise.resolve(encryptCopyText(this.inline, text, columns));
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.ref();
      this.worker!.postMessage({ id, text, columns } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
