import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';

/**
 * Picks the account a request is about (e.g. the login form's username), or `undefined` when
 * none is known. Reads only what earlier middleware prepared: mount the body parser before the
 * limiter when it reads `req.body`.
 */
export type AccountResolver<Req = unknown> = (req: Req) => string | undefined;

/**
 * The account as it appears in a rate-limit key: Unicode-normalised, trimmed and lower-cased (so
 * `Alice` and `alice ` share a bucket), then hashed so account names never reach Redis keys or
 * the draft-8 `pk` partition key.
 */
export function accountKey(account: string): string {
  const normalised = account.normalize('NFKC').trim().toLowerCase();
  return createHash('sha256').update(normalised).digest('base64url').slice(0, 22);
}

/**
 * The bucket of a request: its address (IPv6 reduced to its `/ipv6Subnet` network, so one
 * customer's range is one client), plus the hashed account when one is known. Keying by account
 * and address together keeps one attacker from exhausting a victim's logins from elsewhere.
 */
export function clientKey(ip: string | undefined, account: string | undefined, ipv6Subnet: number) {
  // ipKeyGenerator tests every address against a long IPv6 pattern; IPv4 has no colon.
  const address = ip?.includes(':') ? ipKeyGenerator(ip, ipv6Subnet) : (ip ?? '');
  return account ? `${address}|a:${accountKey(account)}` : address;
}
