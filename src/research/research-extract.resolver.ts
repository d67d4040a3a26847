import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { noteResearchExtract } from './research-audit.plugin';
import { runResearchExtract } from './research-extract.service';
import {
  ResearchExtractFilter,
  ResearchExtractType,
  type ResearchExtractRowType,
} from './research-extract.types';

const BATCH_SIZE = 2_000;

@Resolver()
export class ResearchExtractResolver {
  @Query(() => ResearchExtractType, {
    description:
      'Pseudonymised, k-anonymous rows for whole months and counties; at most ' +
      'RESEARCH_EXTRACT_MAX_ROWS rows (the research-extract CLI streams larger extracts)',
  })
  async researchExtract(
    @Ctx() ctx: Context,
    @Arg('filter', () => ResearchExtractFilter, { nullable: false }) filter: ResearchExtractFilter,
  ): Promise<ResearchExtractType> {
    const rows: ResearchExtractRowType[] = [];
    const summary = await runResearchExtract(ctx.em, ctx.viewer, filter, {
      k: ctx.config.research.kAnonymity,
      maxRows: ctx.config.research.maxExtractRows,
      batchSize: BATCH_SIZE,
      onRows: (batch) => {
        for (const row of batch) rows.push(row);
      },
    });
    noteResearchExtract(ctx, summary);
    return { ...summary, rows };
  }
}
