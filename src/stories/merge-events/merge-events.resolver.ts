import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { forgetCaseLists } from '../../modules/case/case-loaders';
import { CaseType } from '../../modules/case/case.types';
import { MergeOverdoseEventsArgs, UndoOverdoseEventMergeArgs } from './merge-events.input';
import { mergeOverdoseEvents, undoOverdoseEventMerge } from './merge-events.story';

@Resolver(() => CaseType)
export class MergeEventsResolver {
  @Mutation(() => CaseType, {
    description:
      'Two events are one overdose: eventId joins intoEventId (its case closes DUPLICATE). ' +
      'Events of two different people are never merged. Answers with the surviving case',
  })
  async mergeOverdoseEvents(
    @Ctx() ctx: Context,
    @Args(() => MergeOverdoseEventsArgs) args: MergeOverdoseEventsArgs,
  ): Promise<CaseType> {
    const kase = await mergeOverdoseEvents(ctx.em, ctx.viewer, args);
    forgetCaseLists(ctx);
    return kase;
  }

  @Mutation(() => CaseType, {
    description:
      'Takes back the merge of eventId: its reports and its case are its own again, as before. ' +
      'Answers with that case',
  })
  async undoOverdoseEventMerge(
    @Ctx() ctx: Context,
    @Args(() => UndoOverdoseEventMergeArgs) args: UndoOverdoseEventMergeArgs,
  ): Promise<CaseType> {
    const kase = await undoOverdoseEventMerge(ctx.em, ctx.viewer, args);
    forgetCaseLists(ctx);
    return kase;
  }
}
