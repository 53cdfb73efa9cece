/**
 * Fuzzing the security middleware's header parsing through a real express app on loopback, over
 * raw sockets so nothing on the client side cleans the input: `Authorization` (jwtAuth),
 * `X-Forwarded-For` / `Forwarded` / `X-Real-IP` (rate-limit key extraction with `trust proxy` on
 * and off), plus `Host` and `Cookie`, malformed, duplicated, unicode and huge. Never a 500, never
 * a stack trace in a body, the process keeps serving, and the heap stays flat.
 */
import { createConnection } from 'node:net';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { listen, type TestServer } from '@srekit/core/testing';
import { jwtAuth, rateLimit, type SecurityLogger, securityHeaders } from '@srekit/security';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  claims,
  HS_SECRET,
  ISSUER,
  NOW_MS,
  rawSign,
} from '../../../packages/security/test/jwt-fixtures.js';
import { scaled } from '../support/mode.js';
import { Rng } from '../support/mutator.js';

/** Per test: within the file budget (< 60 s) bounded; the full run takes minutes. */
const TIMEOUT_MS = scaled(60_000, 1_200_000);

const SEED = Number(process.env.SREKIT_FUZZ_SEED ?? 20_260_108);
const REQUESTS = scaled(3_000, 20_000);
/** Heap growth allowed across the fuzz run, after a full GC on both sides. */
const MAX_HEAP_GROWTH_BYTES = 8 * 1024 * 1024;
const ALLOWED_STATUSES = new Set([200, 400, 401, 403, 404, 413, 414, 429, 431]);

const warnings = { count: 0 };
const quiet: SecurityLogger = {
  info: () => {},
  warn: () => {
    warnings.count++;
  },
  error: () => {
    warnings.count++;
  },
};

const token = rawSign({ alg: 'HS256', typ: 'at+jwt' }, claims({ jti: 'h' }), HS_SECRET);

function app(trustProxy: string | boolean) {
  const a = express();
  a.set('trust proxy', trustProxy);
  a.use(securityHeaders({ preset: 'api' }));
  a.use(rateLimit({ policy: 'fuzz', limit: 1_000_000, windowMs: 60_000, logger: quiet }));
  a.get('/public', (req, res) => {
    res.json({ ip: req.ip ?? null });
  });
  a.use(
    '/api',
    jwtAuth({
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: HS_SECRET,
      now: () => NOW_MS,
      logger: quiet,
    }),
  );
  a.get('/api/me', (req, res) => {
    res.json({ ok: true, ip: req.ip ?? null });
  });
  return a;
}

interface RawResponse {
  readonly status: number | undefined;
  readonly raw: string;
}

/** Sends raw bytes on a fresh connection and reads until the server closes it. */
function send(port: number, request: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      resolve({ status: match ? Number(match[1]) : undefined, raw });
    });
    // Write without half-closing: a FIN right after the request lets Node drop the connection
    // before an asynchronous handler answers. `Connection: close` ends it after the answer.
    socket.write(request);
  });
}

const IPS = [
  '203.0.113.7',
  '2001:db8::1',
  '::ffff:198.51.100.1',
  '::1',
  '127.0.0.1',
  'unknown',
  '',
  ' ',
  '1.2.3.4:80',
  '[2001:db8::1]:443',
  'fe80::1%eth0',
  '999.1.1.1',
  '1.2.3',
  '01.02.03.04',
  '0x7f.1',
  '::',
  'a'.repeat(300),
  '_hidden',
  '"quoted"',
  'ünïcödé',
  '1.2.3.4\u00a0',
];

/** Latin-1 text: what a raw header line can carry besides ASCII (obs-text). */
const latin1 = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

function forwardedFor(rng: Rng): string {
  const n = rng.pick([1, 2, 3, 10, 100, 2_000]);
  return Array.from({ length: n }, () => rng.pick(IPS)).join(rng.pick([', ', ',', ' , ', ',,']));
}

function authorization(rng: Rng): string {
  const t = rng.chance(0.5) ? token : mangle(token, rng);
  return rng.pick([
    `Bearer ${t}`,
    `bearer ${t}`,
    `BEARER ${t}`,
    `Bearer  ${t}`,
    `Bearer\t${t}`,
    `Bearer ${t} extra`,
    `Bearer ${t},Bearer ${t}`,
    'Bearer',
    'Bearer ',
    `Token ${t}`,
    'Basic Zm9vOmJhcg==',
    `Bearer ${'A'.repeat(rng.pick([100, 8_000, 9_000, 15_000]))}`,
    `Bearer ${t.replace(/\./g, '..')}`,
    latin1(`Bearer ${t}\u00e9\u00ff`),
    `Bearer =${t}=`,
    ',',
    '',
  ]);
}

function mangle(t: string, rng: Rng): string {
  const at = rng.int(t.length);
  return (
    t.slice(0, at) + rng.pick(['', '.', '=', '+', '/', '%00', '~', '\u00e9']) + t.slice(at + 1)
  );
}

/** One request: random path, random hostile header values, sometimes duplicated lines. */
function request(rng: Rng): { bytes: Buffer; note: string } {
  const path = rng.pick(['/public', '/api/me', '/api/me?x=1', '/public?%zz', '/api/%2e%2e/me']);
  const lines: string[] = [`GET ${path} HTTP/1.1`];
  const notes: string[] = [];
  const add = (name: string, value: string) => {
    lines.push(`${name}: ${value}`);
    notes.push(name);
  };
  add(
    'Host',
    rng.chance(0.9) ? '127.0.0.1' : rng.pick(['', 'a'.repeat(2_000), '[::1', 'évil', 'x:y:z']),
  );
  if (rng.chance(0.7)) add('Authorization', authorization(rng));
  if (rng.chance(0.2)) add('Authorization', authorization(rng));
  if (rng.chance(0.6)) add('X-Forwarded-For', forwardedFor(rng));
  if (rng.chance(0.2)) add('X-Forwarded-For', forwardedFor(rng));
  if (rng.chance(0.3)) {
    add(
      'Forwarded',
      rng.pick([
        'for=203.0.113.7;proto=https',
        'for="[2001:db8::1]:80"',
        'for=unknown, for=_hidden',
        `for=${'a'.repeat(5_000)}`,
        ';;;==,,',
        'for="unterminated',
      ]),
    );
  }
  if (rng.chance(0.2)) add('X-Real-IP', rng.pick(IPS));
  if (rng.chance(0.2)) add('Cookie', rng.pick(['a=b', '=;=;', `s=${'x'.repeat(4_000)}`, 'é=ü']));
  if (rng.chance(0.05)) add('X-Padding', 'p'.repeat(rng.pick([10_000, 20_000, 70_000])));
  lines.push('Connection: close', '', '');
  return { bytes: Buffer.from(lines.join('\r\n'), 'latin1'), note: `${path} ${notes.join(',')}` };
}

/** A full GC (exposing `gc` for this process if the runner did not) and the heap in use. */
function heapAfterGc(): number {
  const g = globalThis as { gc?: () => void };
  if (typeof g.gc !== 'function') {
    setFlagsFromString('--expose-gc');
    g.gc = runInNewContext('gc') as () => void;
  }
  g.gc?.();
  g.gc?.();
  return getHeapStatistics().used_heap_size;
}

let trusting: TestServer;
let untrusting: TestServer;

beforeAll(async () => {
  trusting = await listen(app('loopback'));
  untrusting = await listen(app(false));
});

afterAll(async () => {
  await trusting?.close();
  await untrusting?.close();
});

const port = (server: TestServer) => Number(new URL(server.url).port);

describe('header fuzzing through a real express app', () => {
  it(
    `${REQUESTS} hostile requests: never a 500 or a stack, still serving, heap flat`,
    async () => {
      const rng = new Rng(SEED);
      const statuses = new Map<string, number>();
      const failures: string[] = [];
      const run = async (count: number, record: boolean) => {
        for (let i = 0; i < count; i++) {
          const server = rng.chance(0.5) ? trusting : untrusting;
          const { bytes, note } = request(rng);
          const response = await send(port(server), bytes);
          if (!record) continue;
          const key = String(response.status ?? 'closed');
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          const label = `request ${i} (seed ${SEED}, ${bytes.length} bytes, ${note})`;
          if (response.status === undefined || !ALLOWED_STATUSES.has(response.status))
            failures.push(
              `${label}: status ${String(response.status)} ${response.raw.slice(0, 200)}`,
            );
          if (/\n\s+at \S+ \(|Error: |node_modules/.test(response.raw))
            failures.push(`${label}: internals in the body ${response.raw.slice(0, 300)}`);
        }
      };
      await run(Math.ceil(REQUESTS / 5), false); // warm-up: JIT, pools, lazily built caches
      const before = heapAfterGc();
      await run(REQUESTS, true);
      const after = heapAfterGc();
      const growth = after - before;
      console.info(
        `[fuzz:headers] seed ${SEED}, ${REQUESTS} requests: statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; ${warnings.count} warnings logged; heap ${(before / 1e6).toFixed(1)} MB → ${(after / 1e6).toFixed(1)} MB after GC (${(growth / 1e6).toFixed(2)} MB)`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      expect(growth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
      // Both servers still answer a well-formed request.
      for (const server of [trusting, untrusting]) {
        const res = await fetch(`${server.url}/api/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
      }
      expect(statuses.get('200') ?? 0).toBeGreaterThan(0);
      expect(statuses.get('401') ?? 0).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});
