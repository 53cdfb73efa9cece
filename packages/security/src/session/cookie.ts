/** Reads one cookie from a `Cookie` header; the first one wins when a name appears twice. */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : header;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/** Attributes of the session cookie. */
export interface CookieAttributes {
  readonly secure: boolean;
  /** `Max-Age=0` to delete the cookie. */
  readonly maxAgeSeconds?: number;
}

/**
 * A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, never a `Domain` (a `__Host-`
 * cookie must have none), `Secure` unless the insecure development mode is on.
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (attributes.secure) parts.push('Secure');
  if (attributes.maxAgeSeconds !== undefined) {
    parts.push(`Max-Age=${attributes.maxAgeSeconds}`);
    if (attributes.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  return parts.join('; ');
}

/** The response fields used to add a `Set-Cookie` header without dropping others. */
export interface CookieResponse {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
}

/** Adds a `Set-Cookie` header, replacing an earlier one for the same cookie name. */
export function appendSetCookie(res: CookieResponse, name: string, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  const list =
    existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('set-cookie', [...list.filter((c) => !c.startsWith(`${name}=`)), cookie]);
}
