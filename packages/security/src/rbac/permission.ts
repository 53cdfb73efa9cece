/**
 * Permissions are `resource:action` strings. Either part may be `*` (any), and `*` alone means
 * `*:*`. Names are lower-case letters, digits, `_`, `-` and `.`, so a permission can never carry
 * markup, spaces or a second `:` into a log line or a metric label.
 */

const SEGMENT = /^(?:\*|[a-z0-9][a-z0-9_.-]*)$/;

/** A permission split into its two parts. */
export interface ParsedPermission {
  readonly resource: string;
  readonly action: string;
}

/** Parses `resource:action` (or `*`); `undefined` when the string is not a valid permission. */
export function parsePermission(permission: string): ParsedPermission | undefined {
  if (typeof permission !== 'string') return undefined;
  if (permission === '*') return { resource: '*', action: '*' };
  const parts = permission.split(':');
  if (parts.length !== 2) return undefined;
  const [resource, action] = parts as [string, string];
  if (!SEGMENT.test(resource) || !SEGMENT.test(action)) return undefined;
  return { resource, action };
}

/**
 * Whether a granted permission covers a requested one: each part of the grant is `*` or equal
 * to the request's. A `*` in the request is only covered by a `*` in the grant, so asking for
 * `orders:*` means "may do anything to orders", which `orders:read` does not give.
 */
export function covers(granted: ParsedPermission, requested: ParsedPermission): boolean {
  return (
    (granted.resource === '*' || granted.resource === requested.resource) &&
    (granted.action === '*' || granted.action === requested.action)
  );
}
