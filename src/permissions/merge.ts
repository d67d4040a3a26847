import type { PermissionMap } from './access';

/** Merges the modules' maps; a field declared twice is a programming error caught at start. */
export function mergePermissions(...maps: PermissionMap[]): PermissionMap {
  const merged: PermissionMap = {};
  for (const map of maps) {
    for (const [typeName, rules] of Object.entries(map)) {
      const target = (merged[typeName] ??= {});
      for (const [field, access] of Object.entries(rules)) {
        if (target[field]) throw new Error(`permission for ${typeName}.${field} declared twice`);
        target[field] = access;
      }
    }
  }
  return merged;
}
