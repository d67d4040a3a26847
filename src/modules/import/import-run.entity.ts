import { Entity, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';

export type ImportKind = 'NEMSIS' | 'RMS';
export type ImportSource = 'CLI' | 'HTTP';
/** RUNNING until every record is through; REFUSED when every file was refused whole. */
export type ImportRunStatus = 'RUNNING' | 'COMPLETED' | 'REFUSED' | 'FAILED';

/**
 * One import (a CLI run or a POST to /ingest/…): who sent it, how far it got, its counts and its
 * per-record report. The report holds field names, reasons and the records' own ids only, never
 * a value from the file (docs/imports.md), so it may be kept and shown to the agency.
 */
@Entity({ tableName: 'import_run' })
@Index({ properties: ['agency', 'createdAt'] })
export class ImportRun extends HubEntity {
  @ManyToOne(() => Agency, { ref: true })
  agency!: Ref<Agency>;

  /** The API key or user the records were reported as. */
  @Property({ type: 'uuid' })
  reportedById!: string;

  @Property({ type: 'text' })
  kind!: ImportKind;

  @Property({ type: 'text' })
  source!: ImportSource;

  @Property({ type: 'boolean' })
  backfill: Opt<boolean> = false;

  @Property({ type: 'text' })
  status: Opt<ImportRunStatus> = 'RUNNING';

  /** Records to import once every file is checked (null while checking). */
  @Property({ type: 'integer', nullable: true })
  total?: number;

  @Property({ type: 'integer' })
  done: Opt<number> = 0;

  /** Per-file summaries and totals (counts only), set when the run ends. */
  @Property({ type: 'jsonb', nullable: true })
  summary?: Record<string, unknown>;

  /** The first report rows (see MAX_STORED_ROWS); `reportRows` counts them all. */
  @Property({ type: 'jsonb' })
  report: Opt<unknown[]> = [];

  @Property({ type: 'integer' })
  reportRows: Opt<number> = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt?: Date;
}
