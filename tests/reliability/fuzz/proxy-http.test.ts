/**
 * The proxy's HTTP input over raw sockets: `createProxy` (on `http.createServer`, as users run it)
 * in front of two real `node:http` backends that record every request they parse. Malformed
 * request lines, bad methods and versions, oversized and too many headers, CR/LF/NUL injection,
 * request smuggling (CL+TE, duplicate CL, obfuscated TE, bad chunk sizes, requests pipelined after
 * a smuggled body), slow and incomplete bodies, then a seeded random mutator over valid requests.
 *
 * Every case must be answered with the status Node's parser (llhttp) gives it, or with the
 * connection closed; never a 500 or a stack trace; the backends never see a request the client
 * did not send as a request of its own (the smuggled ones all go to `/SMUGGLED`); the proxy
 * serves a valid request after each case, holds no lease afterwards, and the heap stays flat.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy, Pool } from '@srekit/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../support/mode.js';
import {
  hasStackTrace,
  memoryAfterGc,
  type RawExchange,
  type RecordedRequest,
  type RecordingBackend,
  rawExchange,
  startRecordingBackend,
} from '../support/raw-http.js';

const MUTATED_CASES = scaled(500, 5_000);
const SEED = Number(process.env.SREKIT_FUZZ_SEED ?? 20_260_808);
/** Heap + external memory growth allowed over the mutated cases, after a full GC (bytes). */
const HEAP_BOUND = 4 * 1024 * 1024;

let backends: RecordingBackend[] = [];
/** Every request the two backends parsed, in arrival order. */
const received: RecordedRequest[] = [];
/** The target of every request the proxy's server parsed, in order. */
const parsedByProxy: string[] = [];
let pool: Pool | undefined;
let proxy: ReturnType<typeof createProxy> | undefined;
let server: Server | undefined;
let port = 0;

beforeAll(async () => {
  backends = [await startRecordingBackend(received), await startRecordingBackend(received)];
  pool = new Pool(
    backends.map((b, i) => ({ id: `b${i + 1}`, url: b.url })),
    { name: 'fuzz', outlierDetection: false, circuitBreaker: false },
  );
  proxy = createProxy(pool, { retries: 1, timeoutMs: 2_000 });
  server = createServer(proxy);
  // What the proxy's own parser took as requests: the backends may see these and nothing else.
  server.prependListener('request', (req) => parsedByProxy.push(req.url ?? ''));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  if (server) {
    const closed = new Promise<void>((r) => server?.close(() => r()));
    server.closeAllConnections();
    await closed;
  }
  await proxy?.close({ timeoutMs: 1_000 });
  await pool?.close();
  await Promise.all(backends.map((b) => b.close()));
});

const allRequests = () => received;
const activeLeases = () =>
  pool?.stats().backends.reduce((sum, b) => sum + b.activeRequests, 0) ?? -1;

/** A complete, valid request to `path` with `Connection: close`. */
const valid = (path = '/ok', extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: proxy.test\r\n${extra}Connection: close\r\n\r\n`;

/** The proxy still answers a valid request with the backend's 200. */
async function expectServing(): Promise<void> {
  const r = await rawExchange(port, [valid('/alive')]);
  expect(r.statuses).toEqual([200]);
}

/** Nothing the proxy said looks like an internal failure. */
function expectNoInternalError(r: RawExchange): void {
  expect(r.statuses).not.toContain(500);
  expect(hasStackTrace(r.text)).toBe(false);
}

function expectNothingSmuggled(): void {
  const smuggled = allRequests().filter((q) => q.url.includes('SMUGGLED'));
  expect(smuggled).toEqual([]);
}

interface Case {
  readonly name: string;
  readonly chunks: readonly string[];
  /** The statuses answered on the connection, in order ([] = closed without an answer). */
  readonly statuses: readonly number[];
  /** URLs the backends must have seen complete from this case, in order. Default none. */
  readonly backendSaw?: readonly string[];
  /** When set, the backends may have seen these (a race with the connection's close) instead. */
  readonly backendMaySee?: readonly string[];
  /** Body the (single) backend request must have carried. */
  readonly backendBody?: string;
  /** Half-close the connection after the last chunk. */
  readonly halfClose?: boolean;
}

const big = (n: number) => 'a'.repeat(n);
const manyHeaders = (n: number) => Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`).join('');
const smuggledGet = 'GET /SMUGGLED HTTP/1.1\r\nHost: proxy.test\r\n\r\n';
const post = (headers: string, body: string) =>
  `POST /in HTTP/1.1\r\nHost: proxy.test\r\n${headers}\r\n${body}`;

const CASES: Case[] = [
  // Request lines, methods, versions.
  { name: 'garbage request line', chunks: ['GARBAGE\r\n\r\n'], statuses: [400] },
  { name: 'request line without target', chunks: ['GET\r\n\r\n'], statuses: [400] },
  {
    name: 'binary request line',
    chunks: ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    statuses: [400],
  },
  {
    name: 'invalid method characters',
    chunks: ['G@T / HTTP/1.1\r\nHost: x\r\n\r\n'],
    statuses: [400],
  },
  { name: 'unknown method', chunks: ['FOO / HTTP/1.1\r\nHost: x\r\n\r\n'], statuses: [400] },
  { name: 'lower-case method', chunks: ['get / HTTP/1.1\r\nHost: x\r\n\r\n'], statuses: [400] },
  {
    name: 'HTTP/2.0 in a request line (llhttp reads it as 2.0, relayed as 1.1)',
    chunks: ['GET /v2 HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n'],
    statuses: [200],
    backendSaw: ['/v2'],
  },
  { name: 'HTTP/1.10', chunks: ['GET / HTTP/1.10\r\nHost: x\r\n\r\n'], statuses: [400] },
  { name: 'HTTP/9.9', chunks: ['GET / HTTP/9.9\r\nHost: x\r\n\r\n'], statuses: [400] },
  { name: 'missing Host in HTTP/1.1', chunks: ['GET / HTTP/1.1\r\n\r\n'], statuses: [400] },
  {
    name: 'space in the target',
    chunks: ['GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'],
    statuses: [400],
  },
  { name: 'NUL in the target', chunks: ['GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n'], statuses: [400] },
  // Sizes.
  { name: 'URL of 20 kB', chunks: [valid(`/${big(20_000)}`)], statuses: [431] },
  { name: 'header of 20 kB', chunks: [valid('/ok', `X-Big: ${big(20_000)}\r\n`)], statuses: [431] },
  {
    name: 'headers of 1 MB',
    chunks: [valid('/ok', `X-Big: ${big(1_000_000)}\r\n`)],
    statuses: [431],
  },
  { name: '3 000 headers', chunks: [valid('/ok', manyHeaders(3_000))], statuses: [431] },
  {
    name: '200 headers (within the limits)',
    chunks: [valid('/many', manyHeaders(200))],
    statuses: [200],
    backendSaw: ['/many'],
  },
  // Header injection.
  {
    name: 'bare CR in a header value',
    chunks: [valid('/ok', 'X-A: b\rX-Evil: 1\r\n')],
    statuses: [400],
  },
  { name: 'NUL in a header value', chunks: [valid('/ok', 'X-A: b\0c\r\n')], statuses: [400] },
  { name: 'space in a header name', chunks: [valid('/ok', 'X A: b\r\n')], statuses: [400] },
  { name: 'space before the colon', chunks: [valid('/ok', 'Host : evil\r\n')], statuses: [400] },
  {
    name: 'obs-fold header line',
    chunks: [valid('/ok', 'X-A: b\r\n  folded\r\n')],
    statuses: [400],
  },
  {
    name: 'CR/LF smuggled through an encoded header',
    chunks: [valid('/enc', 'X-A: b%0d%0aX-Evil: 1\r\n')],
    statuses: [200],
    backendSaw: ['/enc'],
  },
  // Smuggling.
  {
    name: 'Content-Length and Transfer-Encoding',
    chunks: [
      post('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', `0\r\n\r\n${smuggledGet}`),
    ],
    statuses: [400],
  },
  {
    name: 'Transfer-Encoding and Content-Length',
    chunks: [
      post('Transfer-Encoding: chunked\r\nContent-Length: 50\r\n', `0\r\n\r\n${smuggledGet}`),
    ],
    statuses: [400],
  },
  {
    name: 'two Content-Length values',
    chunks: [post('Content-Length: 5\r\nContent-Length: 50\r\n', `hello${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'Content-Length list',
    chunks: [post('Content-Length: 5, 50\r\n', `hello${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'negative Content-Length',
    chunks: [post('Content-Length: -1\r\n', 'x')],
    statuses: [400],
  },
  {
    name: 'Content-Length with a sign',
    chunks: [post('Content-Length: +5\r\n', 'hello')],
    statuses: [400],
  },
  {
    name: 'hex Content-Length',
    chunks: [post('Content-Length: 0x5\r\n', 'hello')],
    statuses: [400],
  },
  {
    name: 'Content-Length overflow',
    chunks: [post('Content-Length: 99999999999999999999999\r\n', 'x')],
    statuses: [400],
  },
  {
    name: 'TE chunked, identity',
    chunks: [post('Transfer-Encoding: chunked, identity\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE xchunked',
    chunks: [post('Transfer-Encoding: xchunked\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE identity',
    chunks: [post('Transfer-Encoding: identity\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE with a vertical tab',
    chunks: [post('Transfer-Encoding: \x0bchunked\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE name with a space before the colon',
    chunks: [post('Transfer-Encoding : chunked\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE split over obs-fold',
    chunks: [post('Transfer-Encoding:\r\n chunked\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'TE " chunked" (leading whitespace is allowed: a chunked body)',
    chunks: [
      post('Transfer-Encoding:  chunked\r\nConnection: close\r\n', '5\r\nhello\r\n0\r\n\r\n'),
    ],
    statuses: [200],
    backendSaw: ['/in'],
    backendBody: 'hello',
  },
  {
    name: 'Transfer_Encoding (a plain header): the chunk text that follows is a bad next request',
    chunks: [post('Transfer_Encoding: chunked\r\n', `0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
    backendMaySee: ['/in'],
  },
  {
    name: 'chunk size not hex',
    chunks: [post('Transfer-Encoding: chunked\r\n', 'zz\r\nhello\r\n0\r\n\r\n')],
    statuses: [400],
  },
  {
    name: 'negative chunk size',
    chunks: [post('Transfer-Encoding: chunked\r\n', '-1\r\nhello\r\n0\r\n\r\n')],
    statuses: [400],
  },
  {
    name: 'chunk size overflow',
    chunks: [post('Transfer-Encoding: chunked\r\n', 'fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n')],
    statuses: [400],
  },
  {
    name: 'chunk longer than its size',
    chunks: [post('Transfer-Encoding: chunked\r\n', `3\r\nhello\r\n0\r\n\r\n${smuggledGet}`)],
    statuses: [400],
  },
  {
    name: 'chunk size with 0x',
    chunks: [post('Transfer-Encoding: chunked\r\n', '0x5\r\nhello\r\n0\r\n\r\n')],
    statuses: [400],
  },
  {
    name: 'GET with a body that is a request (CL.0)',
    chunks: [
      `GET /cl0 HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: ${smuggledGet.length}\r\nConnection: close\r\n\r\n${smuggledGet}`,
    ],
    statuses: [200],
    backendSaw: ['/cl0'],
    backendBody: smuggledGet,
  },
  {
    name: 'two requests pipelined after a chunked body',
    chunks: [
      `${post('Transfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')}GET /second HTTP/1.1\r\nHost: proxy.test\r\nConnection: close\r\n\r\n`,
    ],
    statuses: [200, 200],
    backendSaw: ['/in', '/second'],
    backendBody: 'hello',
  },
  {
    name: 'request pipelined after a CL+TE body',
    chunks: [
      post(
        'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n',
        `0\r\n\r\n${smuggledGet}${smuggledGet}`,
      ),
    ],
    statuses: [400],
  },
  // Incomplete input.
  {
    name: 'head cut short, then half-closed',
    chunks: ['GET / HTTP/1.1\r\nHost: pro'],
    statuses: [400],
    halfClose: true,
  },
  {
    name: 'chunked body cut short, then half-closed',
    chunks: [post('Transfer-Encoding: chunked\r\n', '5\r\nhel')],
    statuses: [400],
    halfClose: true,
  },
  {
    name: 'Content-Length body cut short, then half-closed',
    chunks: [post('Content-Length: 100\r\n', 'hel')],
    statuses: [400],
    halfClose: true,
  },
  // A client that half-closes after a complete request counts as gone: the proxy aborts the
  // upstream request and closes (a bare node:http server would still answer). Documented.
  {
    name: 'complete request, then half-closed',
    chunks: [valid('/half-closed')],
    statuses: [],
    halfClose: true,
    backendMaySee: ['/half-closed'],
  },
];

describe('the proxy over raw sockets', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const before = allRequests().length;
      const r = await rawExchange(port, c.chunks, { endAfterWrite: c.halfClose === true });
      expectNoInternalError(r);
      expect(r.statuses, r.text.slice(0, 300)).toEqual(c.statuses);
      if (c.statuses.at(-1) !== 200) expect(r.closed).toBe(true);
      // The backend records a request when it closes: wait for the proxy to finish with it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const seen = allRequests()
        .slice(before)
        .filter((q) => q.url !== '/alive');
      const urls = seen.filter((q) => q.complete).map((q) => q.url);
      if (c.backendMaySee) for (const url of urls) expect(c.backendMaySee).toContain(url);
      // Pipelined requests go to the backends concurrently: the order they arrive in is free.
      else expect(urls.sort()).toEqual([...(c.backendSaw ?? [])].sort());
      if (c.backendBody !== undefined) {
        expect(seen.find((q) => q.url === c.backendSaw?.[0])?.body).toBe(c.backendBody);
      }
      expectNothingSmuggled();
      await expectServing();
      expect(activeLeases()).toBe(0);
    });
  }
});

describe('slow and incomplete bodies', () => {
  it('streams a body that trickles in while other clients are served, and frees the lease of one that stalls and goes away', async () => {
    const before = allRequests().length;
    const head = post('Content-Length: 20\r\nConnection: close\r\n', '');
    const trickle = rawExchange(port, [head, 'aaaaa', 'bbbbb', 'ccccc', 'ddddd'], {
      chunkDelayMs: 200,
      timeoutMs: 5_000,
    });
    const stalled = rawExchange(port, [post('Content-Length: 1000\r\n', 'only this')], {
      idleMs: 1_200,
      timeoutMs: 5_000,
    });
    await new Promise((r) => setTimeout(r, 100));
    // Meanwhile both requests hold a lease, and other clients are served.
    expect(activeLeases()).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) await expectServing();
    const [slow, stuck] = await Promise.all([trickle, stalled]);
    expect(slow.statuses).toEqual([200]);
    expect(stuck.statuses).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    const bodies = allRequests()
      .slice(before)
      .filter((q) => q.url === '/in');
    expect(bodies.map((q) => [q.body, q.complete]).sort()).toEqual([
      ['aaaaabbbbbcccccddddd', true],
      ['only this', false],
    ]);
    expect(activeLeases()).toBe(0);
    await expectServing();
  });
});

/** A valid request the mutator starts from; some carry a request-shaped body. */
const SEEDS: readonly string[] = [
  valid('/seed/get'),
  `GET /seed/keep HTTP/1.1\r\nHost: proxy.test\r\nAccept: */*\r\nX-Request-Id: 42\r\n\r\n`,
  post('Content-Length: 5\r\nConnection: close\r\n', 'hello'),
  post(`Content-Length: ${smuggledGet.length}\r\nConnection: close\r\n`, smuggledGet),
  post('Transfer-Encoding: chunked\r\nConnection: close\r\n', `5\r\nhello\r\n0\r\n\r\n`),
  post(
    'Transfer-Encoding: chunked\r\n',
    `${smuggledGet.length.toString(16)}\r\n${smuggledGet}\r\n0\r\n\r\n${valid('/seed/second')}`,
  ),
  `PUT /seed/put?x=1&y=%20 HTTP/1.1\r\nHost: proxy.test:8080\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
  `DELETE /seed/del HTTP/1.0\r\nHost: proxy.test\r\n\r\n`,
];

/** Fragments the mutator inserts: separators, framing headers, smuggling material. */
const FRAGMENTS: readonly string[] = [
  '\r',
  '\n',
  '\r\n',
  '\r\n\r\n',
  '\0',
  ' ',
  '\t',
  ':',
  ',',
  ';',
  '\x0b',
  '\x7f',
  '\xff',
  '\x80',
  'chunked',
  ' chunked',
  'chunked, identity',
  'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: xchunked\r\n',
  'Content-Length: 0\r\n',
  'Content-Length: 5\r\n',
  'Content-Length: 99999999999999999999\r\n',
  '0\r\n\r\n',
  'ffffffffffffffff\r\n',
  'HTTP/1.1',
  'HTTP/2.0',
  'Expect: 100-continue\r\n',
  'Connection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n',
  'Host: other\r\n',
  smuggledGet,
  '%0d%0a',
  '\u00e9',
  'x'.repeat(300),
];

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; fragment: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: position,
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    fragment: fc.nat(FRAGMENTS.length - 1),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);
const mutatedRequest = fc
  .record({
    seed: fc.nat(SEEDS.length - 1),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  })
  .map(({ seed, mutations }) => mutations.reduce(mutate, SEEDS[seed] as string));

function mutate(input: string, m: Mutation): string {
  const at = Math.floor(m.at * input.length);
  switch (m.kind) {
    case 'flip':
      return input.slice(0, at) + String.fromCharCode(m.byte) + input.slice(at + 1);
    case 'insert':
      return input.slice(0, at) + FRAGMENTS[m.fragment] + input.slice(at);
    case 'delete':
      return input.slice(0, at) + input.slice(at + m.length);
    case 'duplicate':
      return input.slice(0, at + m.length) + input.slice(at);
    case 'truncate':
      return input.slice(0, Math.max(at, 1));
  }
}

/** Statuses a mutated request may get: the backend's answer or one of Node's parser errors. */
const ALLOWED = new Set([200, 400, 413, 431, 501, 505]);

/** Removes each of `taken` once from `pool` (a multiset difference); returns what is left of `taken`. */
function notIn(taken: readonly string[], pool: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const url of pool) left.set(url, (left.get(url) ?? 0) + 1);
  const extra: string[] = [];
  for (const url of taken) {
    const n = left.get(url) ?? 0;
    if (n === 0) extra.push(url);
    else left.set(url, n - 1);
  }
  return extra;
}

describe(`a seeded random mutator over valid requests (${MUTATED_CASES} cases)`, () => {
  it('answers each with a parser error or the backend, never lets a backend see a request the proxy did not parse, and keeps the heap flat', async () => {
    const BATCH = scaled(10, 25);
    // Warm up (first requests allocate pools and caches), then measure.
    for (let i = 0; i < 20; i++) await expectServing();
    const heapBefore = memoryAfterGc();
    const statusCounts = new Map<string, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutatedRequest, { minLength: BATCH, maxLength: BATCH }),
        async (inputs) => {
          const results = await Promise.all(
            inputs.map((input) => rawExchange(port, [input], { idleMs: 200 })),
          );
          for (const [i, r] of results.entries()) {
            const key = r.statuses.length === 0 ? 'closed' : r.statuses.join('+');
            statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1);
            const context = JSON.stringify(inputs[i]);
            expect(r.statuses, context).not.toContain(500);
            expect(hasStackTrace(r.text), context).toBe(false);
            for (const status of r.statuses)
              expect(ALLOWED, `${status} for ${context}`).toContain(status);
          }
        },
      ),
      { seed: SEED, numRuns: Math.ceil(MUTATED_CASES / BATCH), endOnFailure: true },
    );
    const elapsedMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 200));
    // No smuggling: every request a backend parsed is one the proxy's own parser parsed.
    expect(
      notIn(
        received.map((q) => q.url),
        parsedByProxy,
      ),
    ).toEqual([]);
    expect(activeLeases()).toBe(0);
    await expectServing();
    const heapDelta = memoryAfterGc() - heapBefore;
    console.info(
      `[proxy-http fuzz] ${MUTATED_CASES} mutated requests (seed ${SEED}) in ${Math.round(elapsedMs)} ms; ` +
        `answers ${JSON.stringify(Object.fromEntries(statusCounts))}; proxy parsed ${parsedByProxy.length} ` +
        `requests, backends ${received.length}; memory delta ${(heapDelta / 1024 / 1024).toFixed(2)} MB`,
    );
    expect(heapDelta).toBeLessThan(HEAP_BOUND);
  });
});
