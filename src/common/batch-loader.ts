import DataLoader from 'dataloader';

/**
 * One DataLoader per request and purpose, so that a field resolved on every row of a list page
 * becomes one query for the whole page instead of one per row. Keyed on the request's context
 * object: it lives exactly as long as the request.
 */
const loadersByRequest = new WeakMap<object, Map<string, DataLoader<string, unknown>>>();

export function batchLoader<V>(
  requestContext: object,
  name: string,
  loadMany: (keys: readonly string[]) => Promise<Map<string, V>>,
  missing: V,
): DataLoader<string, V> {
  let loaders = loadersByRequest.get(requestContext);
  if (!loaders) {
    loaders = new Map();
    loadersByRequest.set(requestContext, loaders);
  }
  let loader = loaders.get(name) as DataLoader<string, V> | undefined;
  if (!loader) {
    loader = new DataLoader<string, V>(async (keys) => {
      const found = await loadMany(keys);
      return keys.map((k) => found.get(k) ?? missing);
    });
    loaders.set(name, loader as DataLoader<string, unknown>);
  }
  return loader;
}

/** Groups rows by a key, for loaders that return a list per key. */
export function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Forgets what the request's loaders named `prefix…` cached (after a change they may show). */
export function clearBatchLoaders(requestContext: object, prefix: string): void {
  for (const [name, loader] of loadersByRequest.get(requestContext) ?? []) {
    if (name.startsWith(prefix)) loader.clearAll();
  }
}
