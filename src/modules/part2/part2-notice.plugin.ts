import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';
import { PART2_NOTICE, PART2_NOTICE_EXTENSION } from './part2-notice';

/**
 * 42 CFR §2.32: every answer that carries a Part 2 record carries the redisclosure notice, in
 * `extensions.part2Notice`; answers without one carry no notice. The schema (part2-tracking.ts)
 * tells the context when a labelled record was resolved.
 */
export function part2NoticePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (!contextValue.part2RecordReturned || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [PART2_NOTICE_EXTENSION]: PART2_NOTICE };
        },
      };
    },
  };
}
