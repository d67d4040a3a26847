import type { ApolloServer } from '@apollo/server';
import { stringify } from 'csv-stringify/sync';
import express, { type Express, type Request, type Response } from 'express';
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';
import type { Context } from '../../context';

/**
 * CSV download of any statistics query: POST `<endpoint>/export.csv` with the same JSON body as
 * the GraphQL endpoint (`query`, `variables`, `operationName`) and the same Authorization header.
 * The operation runs through the same Apollo server and context as /graphql (or
 * /research/graphql): the same permissions, rate limit, audit and error masking. The answer's one
 * top-level field is written one line per row (`kind`: row, subtotal, total, or the list's name),
 * one column per leaf value, named by its path: the CSV equals the GraphQL answer cell for cell.
 * Only application/json bodies are taken, so a cross-site form cannot trigger it (CSRF).
 */
type ContextFactory = (args: { req: Request; res: Response }) => Promise<Context>;

export interface ExportEndpoint {
  path: string;
  apollo: ApolloServer<Context>;
  context: ContextFactory;
}

const KIND_OF: Record<string, string> = { rows: 'row', subtotals: 'subtotal', months: 'month' };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Leaf values of an object by dotted path, in the answer's own order. */
function flatten(value: Json, prefix: string, out: Map<string, Json>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix, Array.isArray(value) ? value.join('|') : value);
  }
}

/** One line per row of the table: table-level scalars repeated on each, then the row's leaves. */
export function tableToCsv(table: { [key: string]: Json }): string {
  const scalars = new Map<string, Json>();
  const lines: Array<Map<string, Json>> = [];
  for (const [key, value] of Object.entries(table)) {
    if (Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object')) {
      for (const row of value) {
        const line = new Map<string, Json>([['kind', KIND_OF[key] ?? key]]);
        flatten(row, '', line);
        lines.push(line);
      }
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const line = new Map<string, Json>([['kind', key]]);
      flatten(value, '', line);
      lines.push(line);
    } else {
      scalars.set(key, Array.isArray(value) ? value.join('|') : value);
    }
  }
  const columns = [...scalars.keys()];
  for (const line of lines)
    for (const key of line.keys()) if (!columns.includes(key)) columns.push(key);
  const cell = (v: Json | undefined) => (v === null || v === undefined ? '' : String(v));
  return stringify([
    columns,
    ...lines.map((line) => columns.map((c) => cell(line.has(c) ? line.get(c) : scalars.get(c)))),
  ]);
}

/**
 * 42 CFR §2.32: a file that carries a Part 2 record starts with the redisclosure notice (the
 * answer's `extensions.part2Notice`, part2-notice.plugin.ts) as a `#` comment line. Statistics
 * are aggregated and de-identified, not records: they never carry one (modules/part2/README.md).
 */
export function withNoticeLine(csv: string, notice: unknown): string {
  if (typeof notice !== 'string') return csv;
  return `# ${notice.replace(/[\r\n]+/g, ' ')}\n${csv}`;
}

function isQuery(document: DocumentNode): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 && operations[0].operation === OperationTypeNode.QUERY;
}

const refuse = (res: Response, status: number, code: string, message: string) =>
  res.status(status).json({ errors: [{ message, extensions: { code } }] });

/** Registers the export routes; call before the GraphQL middlewares (they own their prefixes). */
export function mountStatsExport(
  app: Express,
  endpoints: ExportEndpoint[],
  bodyLimit: string,
): void {
  for (const endpoint of endpoints) {
    app.post(
      `${endpoint.path}/export.csv`,
      express.json({ limit: bodyLimit }),
      async (req: Request, res: Response) => {
        res.setHeader('Cache-Control', 'no-store');
        if (!req.is('application/json')) {
          return refuse(res, 415, 'BAD_REQUEST', 'Send the query as application/json');
        }
        const body = (req.body ?? {}) as {
          query?: unknown;
          variables?: unknown;
          operationName?: unknown;
        };
        if (typeof body.query !== 'string') {
          return refuse(res, 400, 'BAD_USER_INPUT', 'query: must be a GraphQL query string');
        }
        let document: DocumentNode;
        try {
          document = parse(body.query);
        } catch {
          return refuse(res, 400, 'GRAPHQL_PARSE_FAILED', 'query: is not valid GraphQL');
        }
        if (!isQuery(document)) {
          return refuse(res, 400, 'BAD_USER_INPUT', 'query: must be exactly one query operation');
        }
        let contextValue: Context;
        try {
          contextValue = await endpoint.context({ req, res });
        } catch (error) {
          const code = (error as { extensions?: { code?: string } }).extensions?.code;
          const status =
            code === 'UNAUTHENTICATED' ? 401 : code === 'TOO_MANY_REQUESTS' ? 429 : 403;
          return refuse(res, status, code ?? 'FORBIDDEN', 'Not allowed');
        }
        const response = await endpoint.apollo.executeOperation(
          {
            query: body.query,
            variables:
              body.variables && typeof body.variables === 'object'
                ? (body.variables as Record<string, unknown>)
                : undefined,
            operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
          },
          { contextValue },
        );
        if (response.body.kind !== 'single') {
          return refuse(res, 400, 'BAD_REQUEST', 'Incremental delivery is not supported here');
        }
        const { data, errors, extensions } = response.body.singleResult;
        const fields = Object.entries((data ?? {}) as Record<string, Json>);
        // A partial answer would make a silently incomplete file: the errors go back instead.
        if (
          errors?.length ||
          fields.length !== 1 ||
          !fields[0][1] ||
          typeof fields[0][1] !== 'object'
        ) {
          const status = errors?.some((e) => e.extensions?.code === 'FORBIDDEN') ? 403 : 400;
          return res.status(status).json({
            errors: errors ?? [
              {
                message: 'query: must ask for exactly one statistics table',
                extensions: { code: 'BAD_USER_INPUT' },
              },
            ],
          });
        }
        const [name, table] = fields[0];
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="${name.replace(/[^A-Za-z0-9_-]/g, '')}.csv"`,
        );
        res.send(
          withNoticeLine(tableToCsv(table as { [key: string]: Json }), extensions?.part2Notice),
        );
      },
    );
  }
}
