/**
 * Fuzzing the JWT verifier with mutated tokens: text-level mutations of valid tokens (broken
 * base64url, segment counts, huge values, unicode) that keep the original signature, and
 * structural ones re-signed with the real key (duplicate JSON keys, deep nesting, numbers as
 * strings, `alg` case variants, `crit`, forbidden headers, wrong claim types), so the signature
 * check cannot be what refuses them. A token is accepted only when it is valid; every refusal
 * carries one of the documented reasons; each token is decided in bounded time.
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { JWT_REJECTION_REASONS, JwtVerifier } from '@srekit/security';
import { describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  b64,
  claims,
  HS_SECRET,
  ISSUER,
  type Json,
  NOW_MS,
  NOW_S,
} from '../../../packages/security/test/jwt-fixtures.js';
import { scaled } from '../support/mode.js';
import { HOSTILE_SCALARS, Rng } from '../support/mutator.js';

/** Per test: within the file budget (< 60 s) bounded; the full run takes minutes. */
const TIMEOUT_MS = scaled(60_000, 1_200_000);

const SEED = Number(process.env.SREKIT_FUZZ_SEED ?? 20_260_108);
const TEXT_INPUTS = scaled(10_000, 100_000);
const STRUCTURAL_INPUTS = scaled(10_000, 100_000);
/** Per-token bound; HS256 verification takes microseconds. */
const MAX_MS_PER_TOKEN = 250;
const TOLERANCE_S = 30;
const MAX_TOKEN_BYTES = 8192;
const REASONS = new Set<string>(JWT_REJECTION_REASONS);

const verifier = new JwtVerifier({
  algorithms: ['HS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  secret: HS_SECRET,
  now: () => NOW_MS,
  requiredClaims: ['sub'],
});

const HEADER = { alg: 'HS256', typ: 'at+jwt' };
/** HS256 over the header and payload whatever `alg` the header claims. */
const sign = (header: Json, payload: Json) =>
  signText(JSON.stringify(header), JSON.stringify(payload));
/** Signs raw header and payload text (for JSON no serializer would write). */
function signText(header: string, payload: string): string {
  const unsigned = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${unsigned}.${createHmac('sha256', HS_SECRET).update(unsigned).digest('base64url')}`;
}

/** What a valid token must satisfy, read from the header and claims the verifier returns. */
function acceptable(header: Record<string, unknown>, payload: Record<string, unknown>): string[] {
  const broken: string[] = [];
  if (header.alg !== 'HS256') broken.push(`alg ${String(header.alg)}`);
  for (const name of ['jku', 'x5u', 'jwk', 'x5c'])
    if (name in header) broken.push(`header ${name}`);
  // The one extension the verifier (jose) understands is RFC 7797's `b64`, and for a JWT only
  // with its default value: `crit: ["b64"], b64: true` is the standard encoding spelt out.
  const crit = header.crit;
  const b64Default =
    Array.isArray(crit) && crit.length === 1 && crit[0] === 'b64' && header.b64 === true;
  if ('crit' in header && !b64Default) broken.push('header crit');
  if ('b64' in header && header.b64 !== true) broken.push('header b64');
  if (payload.iss !== ISSUER) broken.push('iss');
  const aud = payload.aud;
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) broken.push('aud');
  if (typeof payload.sub !== 'string') broken.push('sub');
  if (typeof payload.exp !== 'number' || payload.exp <= NOW_S - TOLERANCE_S) broken.push('exp');
  if ('nbf' in payload && !(typeof payload.nbf === 'number' && payload.nbf <= NOW_S + TOLERANCE_S))
    broken.push('nbf');
  if ('iat' in payload && typeof payload.iat !== 'number') broken.push('iat');
  return broken;
}

async function decide(token: string): Promise<{ outcome: string; ms: number; defects: string[] }> {
  const started = performance.now();
  let result: Awaited<ReturnType<JwtVerifier['verify']>>;
  try {
    result = await verifier.verify(token);
  } catch (error) {
    return {
      outcome: 'threw',
      ms: performance.now() - started,
      defects: [`threw ${String(error)}`],
    };
  }
  const ms = performance.now() - started;
  if (!result.ok) {
    return {
      outcome: result.reason,
      ms,
      defects: REASONS.has(result.reason) ? [] : [`undocumented reason ${result.reason}`],
    };
  }
  return {
    outcome: 'accepted',
    ms,
    defects: acceptable(
      result.header as Record<string, unknown>,
      result.claims as Record<string, unknown>,
    ),
  };
}

const B64_NOISE = ['=', '==', '+', '/', ' ', '\t', '\n', '%', '.', '..', '-', '_', 'é', '🙂', '\0'];

/** A text-level mutation of a token; the signature is not recomputed. */
function mutateText(token: string, rng: Rng): { token: string; kind: string } {
  const parts = token.split('.');
  const kind = rng.pick([
    'flip',
    'delete',
    'insert',
    'segments',
    'swap-segments',
    'huge',
    'unicode',
    'truncate',
    'empty-segment',
    'case',
  ] as const);
  const at = rng.int(token.length);
  switch (kind) {
    case 'flip': {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return { kind, token: token.slice(0, at) + rng.pick([...alphabet]) + token.slice(at + 1) };
    }
    case 'delete':
      return { kind, token: token.slice(0, at) + token.slice(at + 1 + rng.int(4)) };
    case 'insert':
      return { kind, token: token.slice(0, at) + rng.pick(B64_NOISE) + token.slice(at) };
    case 'segments': {
      const count = rng.pick([0, 1, 2, 4, 5, 6, 50]);
      const out = Array.from({ length: count }, (_, i) => parts[i % parts.length] ?? '');
      return { kind, token: out.join('.') };
    }
    case 'swap-segments':
      return { kind, token: [parts[1], parts[0], parts[2]].join('.') };
    case 'huge': {
      const i = rng.int(3);
      const size = rng.pick([MAX_TOKEN_BYTES - 200, MAX_TOKEN_BYTES + 1, 100_000, 1_000_000]);
      parts[i] = `${parts[i] ?? ''}${'A'.repeat(size)}`;
      return { kind, token: parts.join('.') };
    }
    case 'unicode':
      return {
        kind,
        token:
          token.slice(0, at) + rng.pick(['é', '𝔘', '\u202e', '\ud800', 'Ａ']) + token.slice(at),
      };
    case 'truncate':
      return { kind, token: token.slice(0, at) };
    case 'empty-segment': {
      parts[rng.int(3)] = '';
      return { kind, token: parts.join('.') };
    }
    case 'case':
      return {
        kind,
        token: rng.chance(0.5) ? token.toUpperCase() : token.toLowerCase(),
      };
  }
}

const ALG_VARIANTS: readonly unknown[] = [
  'none',
  'None',
  'NONE',
  'nOnE',
  'hs256',
  'Hs256',
  'HS256 ',
  ' HS256',
  'HS256\u0000',
  'ＨＳ256',
  'HS384',
  'HS512',
  'RS256',
  'ES256',
  'EdDSA',
  '',
  null,
  256,
  ['HS256'],
  { alg: 'HS256' },
];

/** A structural mutation, signed with the real key. */
function mutateStructure(rng: Rng): { token: string; kind: string; expect?: readonly string[] } {
  const kind = rng.pick([
    'alg',
    'crit',
    'forbidden-header',
    'duplicate-keys',
    'deep-nesting',
    'claim-type',
    'claim-value',
    'payload-type',
    'header-type',
    'typ',
    'kid',
    'unicode-claims',
    'huge-claim',
  ] as const);
  const payload = claims();
  switch (kind) {
    case 'alg': {
      const alg = rng.pick(ALG_VARIANTS);
      return {
        kind,
        token: sign({ ...HEADER, alg }, payload),
        // An empty `alg` is a missing one: malformed.
        expect:
          typeof alg !== 'string'
            ? undefined
            : alg === ''
              ? ['alg_not_allowed', 'malformed']
              : ['alg_not_allowed'],
      };
    }
    case 'crit': {
      const crit = rng.pick([['exp'], ['b64'], ['x-custom'], [], 'exp', [1], ['alg', 'alg']]);
      const extra = rng.chance(0.5) ? { 'x-custom': true, b64: true } : {};
      return { kind, token: sign({ ...HEADER, crit, ...extra }, payload) };
    }
    case 'forbidden-header': {
      const name = rng.pick(['jku', 'x5u', 'jwk', 'x5c']);
      const value =
        name === 'jwk'
          ? { kty: 'oct', k: b64(HS_SECRET) }
          : name === 'x5c'
            ? ['MIIB']
            : 'https://evil.test/k';
      return {
        kind,
        token: sign({ ...HEADER, [name]: value }, payload),
        expect: ['forbidden_header'],
      };
    }
    case 'duplicate-keys': {
      // JSON.parse keeps the last value; the verifier must judge the token by that value.
      const header = rng.pick([
        '{"alg":"none","alg":"HS256","typ":"at+jwt"}',
        '{"alg":"HS256","alg":"none","typ":"at+jwt"}',
        '{"alg":"HS256","typ":"at+jwt","typ":"refresh+jwt"}',
        '{"alg":"HS256","typ":"at+jwt","crit":["exp"],"crit":[]}',
      ]);
      const body = JSON.stringify(payload).slice(1, -1);
      const dup = rng.pick([
        `{${body},"iss":"https://evil.test"}`,
        `{"iss":"https://evil.test",${body}}`,
        `{${body},"exp":${NOW_S - 3600}}`,
        `{${body},"aud":"other"}`,
        `{${body},"sub":null}`,
      ]);
      return { kind, token: signText(header, dup) };
    }
    case 'deep-nesting': {
      const depth = rng.pick([100, 1_000, 5_000]);
      const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const body = JSON.stringify(payload).slice(1, -1);
      return rng.chance(0.5)
        ? {
            kind,
            token: signText(
              `{"alg":"HS256","typ":"at+jwt","x":${nested}}`,
              JSON.stringify(payload),
            ),
          }
        : { kind, token: signText(JSON.stringify(HEADER), `{${body},"deep":${nested}}`) };
    }
    case 'claim-type': {
      const claim = rng.pick(['exp', 'nbf', 'iat', 'iss', 'aud', 'sub', 'jti']);
      const value = rng.pick<unknown>([
        String(payload[claim]),
        null,
        true,
        [],
        {},
        [payload[claim]],
        -1,
        1e308,
        Number.MAX_SAFE_INTEGER + 2,
        0.5,
        '',
      ]);
      return { kind, token: sign(HEADER, { ...payload, [claim]: value }) };
    }
    case 'claim-value': {
      const overrides = rng.pick<Json>([
        { exp: NOW_S - TOLERANCE_S - 1 },
        { exp: NOW_S - TOLERANCE_S + 1 },
        { nbf: NOW_S + TOLERANCE_S + 1 },
        { nbf: NOW_S + TOLERANCE_S },
        { iat: NOW_S + TOLERANCE_S + 5 },
        { iss: `${ISSUER}/` },
        { iss: ISSUER.toUpperCase() },
        { aud: [AUDIENCE, 'other'] },
        { aud: [] },
        { aud: `${AUDIENCE} ` },
        { sub: undefined },
        { exp: undefined },
      ]);
      return { kind, token: sign(HEADER, claims(overrides)) };
    }
    case 'payload-type':
      return {
        kind,
        token: signText(
          JSON.stringify(HEADER),
          rng.pick([
            '[]',
            '"x"',
            '1',
            'null',
            'true',
            '',
            '{',
            '{"a":1',
            '\ufeff{}',
            `[${JSON.stringify(payload)}]`,
          ]),
        ),
      };
    case 'header-type':
      return {
        kind,
        token: signText(
          rng.pick([
            '[]',
            '"HS256"',
            '1',
            'null',
            '',
            '{',
            '{"alg":"HS256"',
            '\ufeff{"alg":"HS256","typ":"at+jwt"}',
          ]),
          JSON.stringify(payload),
        ),
      };
    case 'typ': {
      const typ = rng.pick<unknown>([
        'JWT',
        'jwt',
        'AT+JWT',
        'application/at+jwt',
        'refresh+jwt',
        '',
        null,
        1,
        undefined,
      ]);
      const header: Json = { alg: 'HS256' };
      if (typ !== undefined) header.typ = typ;
      return { kind, token: sign(header, payload) };
    }
    case 'kid': {
      const kid = rng.pick<unknown>([
        '../../etc/passwd',
        "' OR 1=1 --",
        'a'.repeat(10_000),
        '',
        1,
        null,
        'k\u0000',
        '🙂',
      ]);
      return { kind, token: sign({ ...HEADER, kid }, payload) };
    }
    case 'unicode-claims':
      return {
        kind,
        token: sign(HEADER, {
          ...payload,
          sub: rng.pick(['名前', '\u202eevil', '\ud800', 'a\u0000b', 'Ａ']),
          [rng.pick(['rôle', '🙂', '__proto__', 'constructor'])]: rng.pick(HOSTILE_SCALARS),
        }),
      };
    case 'huge-claim': {
      const size = rng.pick([1_000, 5_000, 6_000, 100_000]);
      return { kind, token: sign(HEADER, { ...payload, pad: 'x'.repeat(size) }) };
    }
  }
}

function tally(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
const show = (map: Map<string, number>) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

describe('JWT fuzzing', () => {
  const original = sign(HEADER, claims({ jti: 'fuzz-original' }));

  it('control: the token the mutations start from is accepted', async () => {
    expect((await decide(original)).outcome).toBe('accepted');
  });

  it(
    `${TEXT_INPUTS} text-mutated tokens: never accepted unless the bytes signed are unchanged`,
    async () => {
      const rng = new Rng(SEED);
      const [h0, p0, s0] = original.split('.') as [string, string, string];
      const outcomes = new Map<string, number>();
      const failures: string[] = [];
      let maxMs = 0;
      let sameBytes = 0;
      for (let i = 0; i < TEXT_INPUTS; i++) {
        const { token, kind } = mutateText(
          rng.chance(0.3) ? mutateText(original, rng).token : original,
          rng,
        );
        const { outcome, ms, defects } = await decide(token);
        tally(outcomes, outcome);
        maxMs = Math.max(maxMs, ms);
        const label = `text input ${i} (seed ${SEED}, ${kind}) ${JSON.stringify(token.slice(0, 80))}`;
        if (ms > MAX_MS_PER_TOKEN) failures.push(`${label}: ${ms.toFixed(0)} ms`);
        failures.push(...defects.map((d) => `${label}: ${d}`));
        if (Buffer.byteLength(token) > MAX_TOKEN_BYTES && outcome !== 'oversized')
          failures.push(`${label}: ${Buffer.byteLength(token)} bytes gave ${outcome}`);
        if (outcome === 'accepted' && token !== original) {
          // Only a signature spelt differently but decoding to the same bytes may pass.
          const [h, p, s] = token.split('.');
          const same =
            h === h0 &&
            p === p0 &&
            s !== undefined &&
            Buffer.from(s, 'base64url').equals(Buffer.from(s0, 'base64url'));
          if (same) sameBytes++;
          else failures.push(`${label}: accepted a changed token`);
        }
      }
      console.info(
        `[fuzz:jwt] seed ${SEED}, ${TEXT_INPUTS} text-mutated tokens: ${show(outcomes)}; accepted with a re-spelt but equal signature: ${sameBytes}; max ${maxMs.toFixed(1)} ms per token`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      expect(outcomes.size).toBeGreaterThanOrEqual(3);
    },
    TIMEOUT_MS,
  );

  it(
    `${STRUCTURAL_INPUTS} re-signed structural mutations: accepted only when valid, refused with the documented reason`,
    async () => {
      const rng = new Rng(SEED + 1);
      const outcomes = new Map<string, number>();
      const byKind = new Map<string, number>();
      const failures: string[] = [];
      let maxMs = 0;
      for (let i = 0; i < STRUCTURAL_INPUTS; i++) {
        const { token, kind, expect: expected } = mutateStructure(rng);
        const { outcome, ms, defects } = await decide(token);
        tally(outcomes, outcome);
        tally(byKind, `${kind}→${outcome}`);
        maxMs = Math.max(maxMs, ms);
        const label = `structural input ${i} (seed ${SEED + 1}, ${kind}) ${JSON.stringify(token.slice(0, 100))}`;
        if (ms > MAX_MS_PER_TOKEN) failures.push(`${label}: ${ms.toFixed(0)} ms`);
        failures.push(...defects.map((d) => `${label}: accepted although ${d}`));
        if (Buffer.byteLength(token) > MAX_TOKEN_BYTES && outcome !== 'oversized')
          failures.push(`${label}: ${Buffer.byteLength(token)} bytes gave ${outcome}`);
        else if (
          expected &&
          Buffer.byteLength(token) <= MAX_TOKEN_BYTES &&
          !expected.includes(outcome)
        )
          failures.push(`${label}: ${outcome}, expected ${expected.join(' or ')}`);
      }
      console.info(
        `[fuzz:jwt] seed ${SEED + 1}, ${STRUCTURAL_INPUTS} re-signed tokens: ${show(outcomes)}; max ${maxMs.toFixed(1)} ms per token\n  by mutation: ${show(byKind)}`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      expect(outcomes.get('accepted') ?? 0).toBeGreaterThan(0);
      expect(outcomes.size).toBeGreaterThanOrEqual(6);
    },
    TIMEOUT_MS,
  );
});
