import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from '../errors/hub-errors';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}`,
  })
  first?: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string;
}

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean, { nullable: false })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor?: string;
}

/** Position in a list ordered by (a timestamp, id): stable even when rows share a timestamp. */
export interface Cursor {
  at: Date;
  id: string;
}

export function pageSize(first: number | undefined, field = 'first'): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput({ field, message: `must be between 1 and ${MAX_PAGE_SIZE}` });
  }
  return first;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * A Relay-style connection type for `nodeType`, named `<name>Connection` with `<name>Edge`.
 * Its permission rules are declared with the module that uses it.
 */
export function connectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { nullable: false })
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge], { nullable: false })
    edges!: Edge[];

    @Field(() => PageInfo, { nullable: false })
    pageInfo!: PageInfo;

    @Field(() => Int, {
      nullable: false,
      description: 'Rows in the caller\u2019s scope matching the filter',
    })
    totalCount!: number;
  }
  return Connection;
}
