import {
  defaultFieldResolver,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { Context } from '../../context';
import { isPart2Labelled } from './part2-notice';

/**
 * Teaches the request context that a Part 2 record went out: every field of every object type
 * notes it when the object it is read from carries a Part 2 label. Applied below the permission
 * layer, so a record whose fields are all denied discloses nothing and notes nothing. Whoever
 * returns the answer (the Apollo plugin, the subscription server, the CSV export) adds the
 * §2.32 notice from `ctx.part2RecordReturned`. Covers every resolver that returns a labelled
 * record, present and future, without each having to remember it.
 */
export function trackPart2Records(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        if (ctx && isPart2Labelled(source)) ctx.part2RecordReturned = true;
        return resolve(source, args, ctx, info);
      };
    }
  }
  return schema;
}
