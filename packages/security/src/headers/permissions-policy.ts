import { DISABLED_BROWSER_FEATURES } from '../defaults.js';
import { invalidOption } from '../errors.js';

/**
 * Allowlists of a `Permissions-Policy`, by feature. `[]` turns the feature off (`camera=()`),
 * `['self']` allows the page's own origin, `['*']` allows every origin, an origin such as
 * `'https://pay.example'` allows that origin; `null` removes the feature from the header (the
 * browser's default applies).
 */
export type PermissionsPolicyDirectives = Readonly<Record<string, readonly string[] | null>>;

const FEATURE = /^[a-z][a-z0-9-]*$/;
// Printable ASCII only, and none of the characters that end an item or a list.
const ORIGIN = /^https?:\/\/[\x21\x23-\x27\x2a\x2b\x2d-\x3a\x3c-\x7e]+$/;

function allowlistItem(feature: string, raw: string): string {
  const item = raw.replace(/^'(.*)'$/, '$1');
  if (item === 'self' || item === 'src' || item === '*') return item;
  if (ORIGIN.test(item)) return `"${item}"`;
  return invalidOption(
    `permissionsPolicy.${feature}`,
    `\`${raw}\` is not an allowlist item`,
    "Use 'self', '*', 'src' or an origin such as 'https://pay.example'",
  );
}

/**
 * The `Permissions-Policy` header value for `overrides` merged over the default list of disabled
 * features ({@link DISABLED_BROWSER_FEATURES}). Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` on a
 * malformed feature name or allowlist item.
 *
 * @example
 * ```ts
 * permissionsPolicyHeader({ geolocation: ['self'] });
 * // 'accelerometer=(), …, geolocation=(self), …'
 * ```
 */
export function permissionsPolicyHeader(overrides: PermissionsPolicyDirectives = {}): string {
  const features = new Map<string, readonly string[]>(
    DISABLED_BROWSER_FEATURES.map((feature) => [feature, []]),
  );
  for (const [feature, allowlist] of Object.entries(overrides)) {
    if (!FEATURE.test(feature)) {
      invalidOption(
        `permissionsPolicy.${feature}`,
        'not a feature name',
        'Use the lower-case feature name, e.g. `camera` or `geolocation`',
      );
    }
    if (allowlist === null) features.delete(feature);
    else features.set(feature, allowlist);
  }
  return [...features]
    .map(([feature, allowlist]) => {
      const items = allowlist.map((item) => allowlistItem(feature, item));
      return items.includes('*') ? `${feature}=*` : `${feature}=(${items.join(' ')})`;
    })
    .join(', ');
}
