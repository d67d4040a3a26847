import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { Context } from '../context';
import { INTERNAL_MESSAGE } from '../errors/format-error';
import type { Logger } from '../logger';
import { recordResearchAccess } from './research-audit';
import type { ExtractSummary } from './research-extract.service';

/** What the extract resolver learned, kept per request until the audit line is written. */
const extracts = new WeakMap<Context, ExtractSummary>();

export function noteResearchExtract(ctx: Context, summary: ExtractSummary): void {
  extracts.set(ctx, summary);
}

/**
 * Every request the research endpoint answers with a known caller is audited once, when its
 * answer is sent: allowed or denied, with what it asked for (root fields, never arguments) and,
 * for an extract, its id, row counts and the filter's shape.
 */
export function researchAuditPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, errors, response }) {
          if (!contextValue?.viewer) return;
          const extract = extracts.get(contextValue);
          const fields = operation?.selectionSet.selections.flatMap((s) =>
            s.kind === Kind.FIELD ? [s.name.value] : [],
          );
          const codes = [...new Set((errors ?? []).map((e) => String(e.extensions?.code)))];
          const written = recordResearchAccess(contextValue.em, logger, {
            actor: contextValue.viewer,
            action: extract ? 'research.extract' : 'research.query',
            channel: 'graphql',
            requestId: contextValue.requestId,
            fields,
            filter: extract && {
              fromMonth: extract.fromMonth,
              toMonth: extract.toMonth,
              months: extract.range.months,
              countyCount: extract.range.countyCount,
            },
            extractId: extract?.extractId,
            rowCount: extract?.rowCount,
            suppressedRowCount: extract?.suppressedRowCount,
            generalisedRowCount: extract?.generalisedRowCount,
            outcome: codes.length ? codes.join(',') : 'ok',
          });
          await written.catch((error: unknown) => {
            logger.error(
              {
                requestId: contextValue.requestId,
                errorClass: (error as Error)?.constructor?.name,
              },
              'audit write failed',
            );
            // An extract that could not be audited is not released.
            if (extract && response.body.kind === 'single') {
              response.http.status = 500;
              response.body.singleResult = {
                errors: [
                  {
                    message: INTERNAL_MESSAGE,
                    extensions: {
                      code: 'INTERNAL_SERVER_ERROR',
                      requestId: contextValue.requestId,
                    },
                  },
                ],
              };
            }
          });
        },
      };
    },
  };
}
