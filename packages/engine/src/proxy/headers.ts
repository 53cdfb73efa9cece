import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy `Keep-Alive` and `Proxy-Connection`):
 * they describe one connection, so a proxy must not forward them. `Expect` is handled by the
 * client-facing server (it answers `100 Continue` itself), so it goes too.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers the proxy sets itself on the way to the backend. */
const FORWARDED_HEADERS: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
]);

/** Names listed in the `Connection` header(s), lower-cased: each is hop-by-hop too. */
const NONE: ReadonlySet<string> = new Set();

function connectionListed(value: string | string[] | undefined): ReadonlySet<string> {
  if (value === undefined) return NONE;
  const names = new Set<string>();
  for (const line of Array.isArray(value) ? value : [value]) {
    for (const token of line.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

/** What the proxy knows about the client connection, for the forwarded headers. */
export interface ClientInfo {
  /** Client address (IPv4-mapped IPv6 addresses are given as IPv4). */
  readonly ip: string | undefined;
  readonly proto: 'http' | 'https';
  readonly host: string | undefined;
}

/** Client address, protocol and requested host of an incoming request. */
export function clientInfo(req: IncomingMessage): ClientInfo {
  const raw = req.socket?.remoteAddress;
  const ip = raw?.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
  const encrypted = (req.socket as TLSSocket | undefined)?.encrypted === true;
  return { ip, proto: encrypted ? 'https' : 'http', host: req.headers.host };
}

/** A `forwarded` parameter value: a token as is, anything else quoted (RFC 7239 §4). */
function forwardedValue(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)
    ? value
    : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The RFC 7239 node of the client: IPv6 in brackets (and so quoted), `unknown` when not known. */
function forwardedFor(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/** The one `forwarded` element this hop adds. */
export function forwardedElement(client: ClientInfo): string {
  const parts = [`for=${forwardedFor(client.ip)}`, `proto=${client.proto}`];
  if (client.host !== undefined && client.host !== '') {
    parts.push(`host=${forwardedValue(client.host)}`);
  }
  return parts.join(';');
}

function joined(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Options of {@link requestHeaders}. */
export interface RequestHeaderOptions {
  readonly client: ClientInfo;
  /** Keep and extend incoming `x-forwarded-*` / `forwarded` (else they are replaced). */
  readonly trustForwarded: boolean;
  /** The `Host` to send: the client's (preserveHost) or the backend's. */
  readonly host: string | undefined;
  /** `Via` pseudonym of this proxy, or undefined for no `Via`. */
  readonly via: string | undefined;
  /** HTTP version of the incoming request (`req.httpVersion`), for `Via`. */
  readonly httpVersion?: string;
  /** For an upgrade, keep `Connection: upgrade` and `Upgrade`. */
  readonly upgrade?: string;
}

/**
 * Headers for the backend: hop-by-hop ones (and those named in `Connection`) removed, the
 * forwarded headers set or extended, `Host` chosen. Values are copied as Node parsed them
 * (duplicates joined), which keeps every end-to-end header intact.
 */
export function requestHeaders(
  incoming: IncomingHttpHeaders,
  options: RequestHeaderOptions,
): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP_HEADERS.has(name) || listed.has(name) || name === 'expect') continue;
    if (name === 'host') continue;
    if (FORWARDED_HEADERS.has(name) && !options.trustForwarded) continue;
    out[name] = value;
  }
  const { client } = options;
  const ip = client.ip ?? 'unknown';
  const priorFor = options.trustForwarded ? joined(incoming['x-forwarded-for']) : undefined;
  out['x-forwarded-for'] = priorFor ? `${priorFor}, ${ip}` : ip;
  // An earlier trusted hop saw the original scheme and host; keep what it said.
  if (!(options.trustForwarded && incoming['x-forwarded-proto'])) {
    out['x-forwarded-proto'] = client.proto;
  }
  if (!(options.trustForwarded && incoming['x-forwarded-host']) && client.host !== undefined) {
    out['x-forwarded-host'] = client.host;
  }
  const priorForwarded = options.trustForwarded ? joined(incoming.forwarded) : undefined;
  const element = forwardedElement(client);
  out.forwarded = priorForwarded ? `${priorForwarded}, ${element}` : element;
  if (options.via !== undefined) {
    const prior = joined(incoming.via);
    const hop = `${options.httpVersion ?? '1.1'} ${options.via}`;
    out.via = prior ? `${prior}, ${hop}` : hop;
  }
  if (options.host !== undefined) out.host = options.host;
  if (options.upgrade !== undefined) {
    out.connection = 'upgrade';
    out.upgrade = options.upgrade;
  }
  return out;
}

/**
 * Headers for the client: hop-by-hop ones (and those named in `Connection`) removed; multiple
 * `Set-Cookie` lines stay separate (undici gives them as an array).
 */
export function responseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  via: string | undefined,
): OutgoingHttpHeaders {
  const listed = connectionListed(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    // undici gives lower-case names; a test double might not.
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || listed.has(lower)) continue;
    out[lower] = value;
  }
  if (via !== undefined) {
    const prior = joined(out.via as string | string[] | undefined);
    out.via = prior ? `${prior}, 1.1 ${via}` : `1.1 ${via}`;
  }
  return out;
}
