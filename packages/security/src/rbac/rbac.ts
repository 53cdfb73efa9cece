import { invalidOption } from '../errors.js';
import { covers, type ParsedPermission, parsePermission } from './permission.js';

/** One role of an {@link RbacPolicy}. */
export interface RoleDefinition {
  /** Roles whose permissions this role also has. Default none. */
  readonly inherits?: readonly string[];
  /** `resource:action` permissions, wildcards allowed (`orders:*`, `*:read`, `*`). Default none. */
  readonly permissions?: readonly string[];
}

/** A role-based access control policy: role name → its definition. */
export interface RbacPolicy {
  readonly roles: Readonly<Record<string, RoleDefinition>>;
}

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * A role-based access control policy with inheritance, resolved once at construction.
 *
 * Construction throws `ERR_SREKIT_SECURITY_INVALID_OPTION` for a malformed permission, an
 * inherited role that does not exist, or an inheritance cycle (the message names the cycle).
 * At runtime, roles a principal carries that the policy does not know grant nothing.
 *
 * @example
 * ```ts
 * const rbac = new Rbac({
 *   roles: {
 *     viewer: { permissions: ['orders:read'] },
 *     admin: { inherits: ['viewer'], permissions: ['orders:*'] },
 *   },
 * });
 * rbac.can(['viewer'], 'orders:read'); // true
 * rbac.can(['viewer'], 'orders:delete'); // false
 * ```
 */
export class Rbac {
  readonly #permissions = new Map<string, readonly string[]>();
  readonly #parsed = new Map<string, readonly ParsedPermission[]>();
  readonly #ancestors = new Map<string, ReadonlySet<string>>();
  readonly #requests = new Map<string, ParsedPermission>();

  constructor(policy: RbacPolicy) {
    const roles = policy?.roles;
    if (roles === null || typeof roles !== 'object') {
      invalidOption(
        'roles',
        'the policy has no `roles` object',
        'Pass `{ roles: { viewer: { permissions: [...] } } }`',
      );
    }
    for (const [name, role] of Object.entries(roles)) {
      if (!ROLE_NAME.test(name)) {
        invalidOption(
          `roles.${name}`,
          'a role name must start with a letter or digit and hold no spaces',
          'Rename the role',
        );
      }
      for (const permission of role?.permissions ?? []) {
        if (parsePermission(permission) === undefined) {
          invalidOption(
            `roles.${name}.permissions`,
            `"${String(permission)}" is not a \`resource:action\` permission`,
            'Use lower-case `resource:action`, with `*` for any resource or action (e.g. `orders:read`, `orders:*`, `*`)',
          );
        }
      }
      for (const parent of role?.inherits ?? []) {
        if (!Object.hasOwn(roles, parent)) {
          invalidOption(
            `roles.${name}.inherits`,
            `it names the unknown role "${String(parent)}"`,
            `Define "${String(parent)}" under \`roles\` or remove it; known roles: ${Object.keys(roles).join(', ')}`,
          );
        }
      }
    }
    for (const name of Object.keys(roles)) this.#resolve(name, roles, []);
  }

  /** Resolves a role's own and inherited permissions depth-first, detecting cycles on the path. */
  #resolve(name: string, roles: RbacPolicy['roles'], path: string[]): void {
    if (this.#permissions.has(name)) return;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      invalidOption(
        `roles.${name}.inherits`,
        `roles inherit in a cycle: ${cycle}`,
        'Remove one of the inherits links',
      );
    }
    const role = roles[name] as RoleDefinition;
    const permissions = new Set(role.permissions ?? []);
    const ancestors = new Set<string>([name]);
    for (const parent of role.inherits ?? []) {
      this.#resolve(parent, roles, [...path, name]);
      for (const p of this.#permissions.get(parent) ?? []) permissions.add(p);
      for (const a of this.#ancestors.get(parent) ?? []) ancestors.add(a);
    }
    const list = Object.freeze([...permissions].sort());
    this.#permissions.set(name, list);
    this.#parsed.set(
      name,
      list.map((p) => parsePermission(p) as ParsedPermission),
    );
    this.#ancestors.set(name, ancestors);
  }

  /** Every role the policy defines. */
  get roles(): readonly string[] {
    return [...this.#permissions.keys()];
  }

  /** Whether the policy defines `role`. */
  hasRoleDefined(role: string): boolean {
    return this.#permissions.has(role);
  }

  /**
   * The permissions `role` holds, its own and inherited, sorted. Empty for an unknown role.
   */
  permissionsOf(role: string): readonly string[] {
    return this.#permissions.get(role) ?? [];
  }

  /**
   * Whether any of `roles` grants `permission`. A `*` in `permission` asks for the wildcard
   * itself (`can(roles, 'orders:*')` is true only for a grant of `orders:*`, `*:*` or `*`).
   * A malformed permission is never granted.
   */
  can(roles: readonly string[] | undefined, permission: string): boolean {
    let requested = this.#requests.get(permission);
    if (requested === undefined) {
      requested = parsePermission(permission);
      // Permissions asked for come from code; the cap keeps request-derived strings from growing it.
      if (requested !== undefined && this.#requests.size < 1024)
        this.#requests.set(permission, requested);
    }
    if (requested === undefined || roles === undefined) return false;
    for (const role of roles) {
      for (const granted of this.#parsed.get(role) ?? []) {
        if (covers(granted, requested)) return true;
      }
    }
    return false;
  }

  /** Whether any of `roles` is `role` or inherits from it (an admin that inherits viewer is a viewer). */
  hasRole(roles: readonly string[] | undefined, role: string): boolean {
    if (roles === undefined) return false;
    return roles.some((held) => this.#ancestors.get(held)?.has(role) === true);
  }
}
