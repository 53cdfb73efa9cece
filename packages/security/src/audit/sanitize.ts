import { REDACTED } from '@srekit/core';
import { AUDIT_DEFAULTS } from '../defaults.js';

/** How {@link sanitizeForAudit} treats keys and values. */
export interface SanitizeOptions {
  /** Key fragments that mark a secret (normalised: lower case, no `-`, `_` or `.`). */
  readonly secretKeyFragments: readonly string[];
  /** Whole keys that mark a secret (normalised). */
  readonly secretKeys: readonly string[];
  readonly maxValueLength: number;
  readonly maxDepth: number;
  readonly maxArrayItems: number;
}

/** The default sanitising rules, from `AUDIT_DEFAULTS`. */
export const DEFAULT_SANITIZE_OPTIONS: SanitizeOptions = {
  secretKeyFragments: AUDIT_DEFAULTS.secretKeyFragments,
  secretKeys: AUDIT_DEFAULTS.secretKeys,
  maxValueLength: AUDIT_DEFAULTS.maxValueLength,
  maxDepth: AUDIT_DEFAULTS.maxDepth,
  maxArrayItems: AUDIT_DEFAULTS.maxArrayItems,
};

// Three base64url segments starting with an encoded `{"` header: a JWS or the first parts of a JWE.
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/;
const BEARER = /^\s*(bearer|basic|digest)\s+\S/i;
// C0 and C1 controls, DEL and the Unicode line and paragraph separators: anything that can end or
// rewrite a line in a log viewer or a text-based log pipeline.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

// Audit keys come from code, so a few hundred distinct ones cover a service; the cap keeps
// attacker-chosen keys from growing the cache.
const MAX_CACHED_KEYS = 1024;
const keyCache = new WeakMap<SanitizeOptions, Map<string, boolean>>();

/** True when a key names a secret under `options`. */
export function isSecretKey(
  key: string,
  options: SanitizeOptions = DEFAULT_SANITIZE_OPTIONS,
): boolean {
  let cache = keyCache.get(options);
  if (cache === undefined) {
    cache = new Map();
    keyCache.set(options, cache);
  }
  const known = cache.get(key);
  if (known !== undefined) return known;
  const k = normaliseKey(key);
  const secret =
    options.secretKeys.includes(k) || options.secretKeyFragments.some((f) => k.includes(f));
  if (cache.size < MAX_CACHED_KEYS) cache.set(key, secret);
  return secret;
}

/** True when a string looks like a credential on its own: a JWT or an `Authorization` value. */
export function looksLikeCredential(value: string): boolean {
  return JWT_LIKE.test(value) || BEARER.test(value);
}

/**
 * Makes a string safe for one log line: CR, LF and other control characters become visible
 * escapes (`\n`, `\r`, `\u0000`), credentials become `[REDACTED]`, long values are cut.
 */
export function sanitizeString(
  value: string,
  options: SanitizeOptions = DEFAULT_SANITIZE_OPTIONS,
): string {
  if (looksLikeCredential(value)) return REDACTED;
  let safe = value.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (safe.length > options.maxValueLength) {
    safe = `${safe.slice(0, options.maxValueLength)}…[truncated]`;
  }
  return safe;
}

/**
 * A copy of `value` fit for an audit line: values under secret keys and credential-looking
 * strings replaced by `[REDACTED]` at every depth, strings neutralised by {@link sanitizeString},
 * dates as ISO strings, errors as `{ name, message }`, functions and symbols dropped, and
 * anything deeper than `maxDepth` (including cycles) replaced by `[depth]`.
 */
export function sanitizeForAudit(
  value: unknown,
  options: SanitizeOptions = DEFAULT_SANITIZE_OPTIONS,
  depth = 0,
): unknown {
  switch (typeof value) {
    case 'string':
      return sanitizeString(value, options);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  if (depth >= options.maxDepth) return '[depth]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error) {
    return {
      name: sanitizeString(value.name, options),
      message: sanitizeString(value.message, options),
    };
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
  if (Array.isArray(value)) {
    const items = value
      .slice(0, options.maxArrayItems)
      .map((item) => sanitizeForAudit(item, options, depth + 1));
    if (value.length > options.maxArrayItems)
      items.push(`[+${value.length - options.maxArrayItems}]`);
    return items;
  }
  if (value instanceof Map) {
    return sanitizeForAudit(Object.fromEntries(value), options, depth);
  }
  if (value instanceof Set) return sanitizeForAudit([...value], options, depth);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const safeKey = sanitizeString(key, options);
    if (isSecretKey(key, options)) {
      if (child !== undefined) out[safeKey] = REDACTED;
      continue;
    }
    const safe = sanitizeForAudit(child, options, depth + 1);
    if (safe !== undefined) out[safeKey] = safe;
  }
  return out;
}
