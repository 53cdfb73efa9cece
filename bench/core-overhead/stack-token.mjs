// The HS256 key and bearer token of the `srekit-stack` variant, shared by the server (which
// verifies) and the runners (which send it): a fixed bench-only secret, a token valid for a day.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../../packages/security/package.json', import.meta.url));
const jose = await import(pathToFileURL(require.resolve('jose')).href);

export const ISSUER = 'https://id.bench.invalid';
export const AUDIENCE = 'bench-api';
/** 32 bytes: the shortest HMAC secret the verifier accepts. Bench only, never a real key. */
export const SECRET = new TextEncoder().encode('srekit-bench-only-hs256-secret!!');

const now = Math.floor(Date.now() / 1000);
/** `Authorization` header value for the variant's route. */
export const AUTHORIZATION = `Bearer ${await new jose.SignJWT({ scope: 'users:read' })
  .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject('bench-user')
  .setIssuedAt(now)
  .setExpirationTime(now + 86_400)
  .setJti('bench-token')
  .sign(SECRET)}`;
