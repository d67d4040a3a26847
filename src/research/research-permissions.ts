import { isObjectType, type GraphQLSchema } from 'graphql';
import { Role } from '../common/role';
import { PERMISSIONS } from '../permissions';
import type { Access, PermissionMap } from '../permissions/access';
import { mergePermissions } from '../permissions/merge';
import { researchExtractPermissions } from './research-extract.permissions';

/** Rules written for this endpoint alone; they win over the hub's map for the same field. */
export const RESEARCH_OWN_PERMISSIONS: PermissionMap = mergePermissions(researchExtractPermissions);

const ONLY_RESEARCHER: readonly Role[] = [Role.RESEARCHER];

/**
 * The research endpoint's shield map, for the fields its schema really has: the endpoint's own
 * rules, else the rule the hub gives that field on /graphql (aggregate resolvers shared by both),
 * always narrowed to RESEARCHER: on this endpoint every other role is denied, whatever the
 * module allows on /graphql. A field with neither rule gets none (denied; the coverage test
 * names it).
 */
export function researchPermissions(schema: GraphQLSchema): PermissionMap {
  const map: PermissionMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) {
      const access =
        RESEARCH_OWN_PERMISSIONS[type.name]?.[field] ?? PERMISSIONS[type.name]?.[field];
      if (access) (map[type.name] ??= {})[field] = researcherOnly(access);
    }
  }
  return map;
}

function researcherOnly(access: Access): Access {
  return {
    ...access,
    name: `research:${access.name}`,
    roles: ONLY_RESEARCHER,
  };
}
