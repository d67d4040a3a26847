import type { Role } from '../common/role';
import type { Context } from '../context';

/**
 * The project's own small permission vocabulary. Modules declare who may read each field with
 * these values; only `permissions/shield.ts` knows that graphql-shield enforces them, so the
 * enforcement library can be swapped without touching a module.
 */
export interface Access {
  /** Unique, readable rule name; shows in docs and in shield's rule cache. */
  name: string;
  roles: readonly Role[];
  /** Row scope in words, for the generated permission docs. Enforcement lives in service queries. */
  scope?: string;
  /**
   * Extra per-object check (e.g. "only while a consent covers it"). It sees the parent object,
   * so the rule is never cached across parents.
   */
  check?: (parent: unknown, ctx: Context) => boolean | Promise<boolean>;
}

export type TypeRules = Record<string, Access>;
export type PermissionMap = Record<string, TypeRules>;

export function allowRoles(name: string, roles: readonly Role[], scope?: string): Access {
  return { name, roles, scope };
}

export function allowWhen(
  name: string,
  roles: readonly Role[],
  check: NonNullable<Access['check']>,
  scope?: string,
): Access {
  return { name, roles, check, scope };
}

/** Gives every listed field of one type the same access. */
export function fields(names: readonly string[], access: Access): TypeRules {
  return Object.fromEntries(names.map((n) => [n, access]));
}
