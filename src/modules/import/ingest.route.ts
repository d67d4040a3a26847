import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Express, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import type { Logger } from '../../logger';
import { AuditOutcome } from '../audit/audit-codes';
import { recordAuditEvent } from '../audit/audit-writer';
import type { ImportKind } from './import-run.entity';
import {
  assertImportRole,
  createImportRun,
  getImportRun,
  runTrackedImport,
  viewOf,
  type ImportRunView,
} from './import-run.service';

export const INGEST_PATHS = { NEMSIS: '/ingest/nemsis', RMS: '/ingest/rms' } as const;
const RUNS_PATH = '/ingest/runs/:id';

export interface IngestDeps {
  orm: MikroORM;
  config: ReadyConfig;
  logger: Logger;
  /** The hub's credential check (throttling and auditing refused credentials, rate limits). */
  authenticateRequest(req: Request, res: Response, em: EntityManager): Promise<Viewer>;
}

/** Media types a file of each kind may be sent as (gzip: the file compressed whole). */
const MEDIA_TYPES: Record<ImportKind, string[]> = {
  NEMSIS: [
    'application/xml',
    'text/xml',
    'application/gzip',
    'application/x-gzip',
    'application/octet-stream',
  ],
  RMS: [
    'text/csv',
    'application/csv',
    'text/plain',
    'application/gzip',
    'application/x-gzip',
    'application/octet-stream',
  ],
};
const EXTENSION: Record<ImportKind, string> = { NEMSIS: '.xml', RMS: '.csv' };
const UPLOAD_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const UTC_OFFSET = /^[+-](0\d|1[0-4]):[0-5]\d$/;

/** A refusal answered before any record is read: an HTTP status, a code and a message. */
class IngestRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The ingest endpoints (docs/imports.md): an agency's ePCR or RMS vendor POSTs a NEMSIS v3.5 or
 * RMS CSV export with the agency's API key, and gets the per-record report of the same import
 * the CLI runs (two passes: the whole file is checked first and refused whole if it must be, then
 * each record goes through intake on its own). The body is streamed to a private temporary file
 * (gzip undone on the way, with a size limit counted after decompression), never held in memory.
 * `GET /ingest/runs/{id}` shows a run's progress and report to the agency that sent it.
 */
export function mountIngest(app: Express, deps: IngestDeps): void {
  for (const kind of ['NEMSIS', 'RMS'] as const) {
    app.post(INGEST_PATHS[kind], (req, res) => void ingest(kind, req, res, deps));
  }
  app.get(RUNS_PATH, (req, res) => void showRun(req, res, deps));
}

async function ingest(kind: ImportKind, req: Request, res: Response, deps: IngestDeps) {
  const requestId = res.locals.requestId as string;
  const em = deps.orm.em.fork();
  let folder: string | undefined;
  let viewer: Viewer | undefined;
  try {
    viewer = await deps.authenticateRequest(req, res, em).catch(refusalOfGraphQLError);
    try {
      assertImportRole(viewer, kind);
    } catch (error) {
      await recordAuditEvent(em, {
        viewer,
        action: `POST ${INGEST_PATHS[kind]}`,
        outcome: AuditOutcome.DENIED,
        errorCode: 'FORBIDDEN',
        requestId,
      });
      throw new IngestRefusal(403, 'FORBIDDEN', (error as Error).message);
    }
    const options = ingestOptions(kind, req);
    const gzip = compressed(req, kind);
    folder = await mkdtemp(join(tmpdir(), 'hub-ingest-'));
    const path = join(folder, `upload${EXTENSION[kind]}`);
    await receiveBody(req, path, gzip, deps.config.ingestBodyLimitBytes);

    const run = await createImportRun(em, viewer, kind, 'HTTP', options.backfill);
    res.setHeader('Location', `/ingest/runs/${run.id}`);
    const work = runTrackedImport(
      { em, config: deps.config, viewer, backfill: options.backfill },
      run,
      {
        kind,
        source: 'HTTP',
        paths: [path],
        hooks: { utcOffset: options.utcOffset },
        displayName: () => options.name,
      },
    );
    const cleanup = folder;
    folder = undefined;
    const finished = work
      .then(async () => {
        const view = await getImportRun(em, viewer!, run.id);
        deps.logger.info(
          { requestId, runId: run.id, kind, status: view.status, totals: totalsOf(view) },
          'ingest run finished',
        );
        return view;
      })
      .finally(() => rm(cleanup, { recursive: true, force: true }));
    if (!options.wait) {
      finished.catch((error: unknown) => logFailure(deps.logger, requestId, error));
      res.status(202).json(viewOf(run));
      return;
    }
    const view = await finished;
    res.status(view.status === 'REFUSED' ? 422 : 200).json(view);
  } catch (error) {
    if (folder) await rm(folder, { recursive: true, force: true });
    answerError(res, error, requestId, deps.logger);
  }
}

async function showRun(req: Request, res: Response, deps: IngestDeps) {
  const requestId = res.locals.requestId as string;
  const em = deps.orm.em.fork();
  try {
    const viewer = await deps.authenticateRequest(req, res, em).catch(refusalOfGraphQLError);
    const id = String(req.params.id);
    try {
      res.json(await getImportRun(em, viewer, id));
    } catch (error) {
      // Asking for another agency's run (or guessing ids) is recorded, like a by-id read.
      await recordAuditEvent(em, {
        viewer,
        action: 'GET /ingest/runs',
        entityType: 'ImportRun',
        entityIds: [id],
        outcome: AuditOutcome.DENIED,
        errorCode: 'NOT_FOUND',
        requestId,
      });
      throw error;
    }
  } catch (error) {
    answerError(res, error, requestId, deps.logger);
  }
}

function ingestOptions(kind: ImportKind, req: Request) {
  const query = req.query as Record<string, unknown>;
  const flag = (name: string, fallback: boolean): boolean => {
    const value = query[name];
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new IngestRefusal(400, 'BAD_USER_INPUT', `${name}: must be true or false`);
  };
  const name = query.name === undefined ? `upload${EXTENSION[kind]}` : String(query.name);
  if (!UPLOAD_NAME.test(name)) {
    throw new IngestRefusal(
      400,
      'BAD_USER_INPUT',
      'name: must be 1–100 letters, digits, dots, dashes or underscores',
    );
  }
  const utcOffset = query.utcOffset === undefined ? undefined : String(query.utcOffset);
  if (utcOffset !== undefined && (kind !== 'RMS' || !UTC_OFFSET.test(utcOffset))) {
    throw new IngestRefusal(
      400,
      'BAD_USER_INPUT',
      kind === 'RMS'
        ? 'utcOffset: must look like -05:00 or +01:00'
        : 'utcOffset: only RMS files take one (NEMSIS times carry their offset)',
    );
  }
  return { backfill: flag('backfill', false), wait: flag('wait', true), name, utcOffset };
}

/** Whether the body is gzip, from Content-Encoding or the media type; other encodings refused. */
function compressed(req: Request, kind: ImportKind): boolean {
  const encoding = (req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip'].includes(encoding)) {
    throw new IngestRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Encoding: only gzip is accepted (or none)',
    );
  }
  const type = (req.header('content-type') ?? 'application/octet-stream')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!MEDIA_TYPES[kind].includes(type)) {
    throw new IngestRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      kind === 'NEMSIS'
        ? 'Content-Type: send the NEMSIS v3.5 XML file as application/xml (or gzip it: application/gzip or Content-Encoding: gzip)'
        : 'Content-Type: send the RMS export as text/csv (or gzip it: application/gzip or Content-Encoding: gzip)',
    );
  }
  return encoding !== 'identity' || type.endsWith('gzip');
}

/** Counts bytes going through and fails once there are more than `limit`. */
class SizeLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(tooLarge(this.limit));
    else done(null, chunk);
  }
}

const tooLarge = (limit: number) =>
  new IngestRefusal(
    413,
    'PAYLOAD_TOO_LARGE',
    `Request body is larger than the ingest limit (${Math.floor(limit / 1024 / 1024)} MB after decompression, INGEST_BODY_LIMIT): send the export in parts`,
  );

async function receiveBody(req: Request, path: string, gzip: boolean, limit: number) {
  const declared = Number(req.header('content-length'));
  if (!gzip && Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const out = createWriteStream(path, { mode: 0o600 });
  try {
    if (gzip) await pipeline(req, createGunzip(), new SizeLimit(limit), out);
    else await pipeline(req, new SizeLimit(limit), out);
  } catch (error) {
    if (error instanceof IngestRefusal) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new IngestRefusal(400, 'BAD_REQUEST', 'Request body is not valid gzip');
    }
    throw new IngestRefusal(400, 'BAD_REQUEST', 'Request body could not be read to the end');
  }
}

/** The credential check speaks GraphQL errors; here they become HTTP answers. */
function refusalOfGraphQLError(error: unknown): never {
  if (error instanceof GraphQLError) {
    const code = String(error.extensions.code ?? 'INTERNAL_SERVER_ERROR');
    const http = error.extensions.http as
      { status?: number; headers?: Map<string, string> } | undefined;
    const status = http?.status ?? (code === 'UNAUTHENTICATED' ? 401 : 500);
    if (status < 500) {
      throw new IngestRefusal(status, code, error.message, Object.fromEntries(http?.headers ?? []));
    }
  }
  throw error;
}

function answerError(res: Response, error: unknown, requestId: string, logger: Logger): void {
  if (res.headersSent) return;
  let refusal = error instanceof IngestRefusal ? error : undefined;
  if (!refusal && error instanceof GraphQLError) {
    const code = String(error.extensions.code);
    if (code === 'FORBIDDEN') refusal = new IngestRefusal(403, code, error.message);
    if (code === 'NOT_FOUND') refusal = new IngestRefusal(404, code, error.message);
  }
  if (!refusal) {
    logFailure(logger, requestId, error);
    res.status(500).json({
      errors: [
        {
          message: 'Internal error. Quote the request id when reporting it.',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
        },
      ],
    });
    return;
  }
  for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
  // A refusal before the body was read: the connection is not kept for the rest of it.
  if (!res.req.readableEnded) res.setHeader('Connection', 'close');
  res.status(refusal.status).json({
    errors: [{ message: refusal.message, extensions: { code: refusal.code, requestId } }],
  });
}

function logFailure(logger: Logger, requestId: string, error: unknown): void {
  logger.error(
    {
      requestId,
      errorClass: error instanceof Error ? error.constructor.name : typeof error,
      dbCode: (error as { code?: unknown } | undefined)?.code,
    },
    'ingest failed on an internal error',
  );
}

function totalsOf(view: ImportRunView): unknown {
  return (view.summary as { totals?: unknown } | null)?.totals;
}
