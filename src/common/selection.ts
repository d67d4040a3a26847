import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The fields selected at `path` below the current field (e.g. `['edges', 'node']`), through
 * fragments and aliases, each with the sub-fields selected under it. Used to decide which
 * relations a list statement should fetch for its page; a field it misses is still resolved by
 * its own (batched) resolver, so this can only cost speed, never correctness.
 */
export type Selection = Map<string, Selection>;

export function selectionAt(info: GraphQLResolveInfo, path: readonly string[]): Selection {
  let level = collect(
    info,
    info.fieldNodes.map((n) => n.selectionSet),
  );
  for (const name of path) level = level.get(name) ?? new Map();
  return level;
}

function collect(
  info: GraphQLResolveInfo,
  sets: ReadonlyArray<SelectionSetNode | undefined>,
): Selection {
  const fields = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const list = fields.get(selection.name.value) ?? [];
        list.push(selection);
        fields.set(selection.name.value, list);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else {
        // Validated documents have no fragment cycles.
        visit(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  const result: Selection = new Map();
  for (const [name, nodes] of fields) {
    result.set(
      name,
      collect(
        info,
        nodes.map((n) => n.selectionSet),
      ),
    );
  }
  return result;
}
