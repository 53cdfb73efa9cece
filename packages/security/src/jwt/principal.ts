import type { AuthPrincipal } from '../types.js';

function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value))
    return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/**
 * The principal a verified token stands for: `subject` from `sub`, `roles` from `rolesClaim`
 * (a claim name or a dot path such as `realm_access.roles`; a list or a space-separated string),
 * `scopes` from `scope` (RFC 8693/9068, space-separated) or `scp` (a list), and every claim.
 *
 * @example
 * ```ts
 * principalFromClaims({ sub: 'u1', roles: ['admin'], scope: 'orders:read' }, 'roles');
 * // { subject: 'u1', roles: ['admin'], scopes: ['orders:read'], claims: {...}, method: 'jwt' }
 * ```
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  rolesClaim: string,
): AuthPrincipal {
  return {
    subject: String(claims.sub),
    roles: stringList(claimAt(claims, rolesClaim)),
    scopes: stringList(claims.scope ?? claims.scp),
    claims,
    method: 'jwt',
  };
}
