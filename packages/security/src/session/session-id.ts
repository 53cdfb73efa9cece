import { createHash, randomBytes } from 'node:crypto';
import { SESSION_DEFAULTS } from '../defaults.js';

const ID_LENGTH = Math.ceil((SESSION_DEFAULTS.idBytes * 8) / 6);
const WELL_FORMED = new RegExp(`^[A-Za-z0-9_-]{${ID_LENGTH}}$`);

/** A new session id: 256 random bits from the CSPRNG, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(SESSION_DEFAULTS.idBytes).toString('base64url');
}

/** A new CSRF token: 256 random bits, base64url. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a cookie value has the shape of a session id (anything else is never looked up). */
export function isWellFormedSessionId(value: string): boolean {
  return WELL_FORMED.test(value);
}

/**
 * The store key of a session id: its SHA-256, base64url. Stores only ever see this, so a dump
 * of the store (a Redis RDB file, a `KEYS *`) does not hand out live sessions. A plain hash is
 * enough: the id has 256 bits of entropy, so it cannot be guessed from its hash.
 */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
