// One measurement of bench/security/rate-limit.mjs in a fresh process. Prints one JSON line per
// repeat. Usage: node rate-limit-subject.mjs <variant> <store memory|redis> <quick 0|1> <repeats> [redisUrl]
//
// A decision is one pass through the middleware for a new request object up to its `next()`,
// with a limit high enough that every request is admitted (the common case). Keys cycle over
// 1 000 client addresses.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const securityPkg = new URL('../../packages/security/package.json', import.meta.url);
const requireFromSecurity = createRequire(securityPkg);
const load = (name) => import(pathToFileURL(requireFromSecurity.resolve(name)).href);

const [variant, storeKind, quickArg, repeatsArg = '1', redisUrl] = process.argv.slice(2);
const quick = quickArg === '1';
const repeats = Number(repeatsArg);
const LIMIT = 1_000_000_000;
const WINDOW_MS = 60_000;
const ADDRESSES = Array.from({ length: 1_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.7`);

const app = { get: () => false };
// Prototypes keep the harness from allocating a dozen closures per decision.
const requestProto = { method: 'GET', path: '/', originalUrl: '/', headers: {}, app };
const responseProto = {
  headersSent: false,
  writableEnded: false,
  statusCode: 200,
  setHeader() {},
  append() {},
  getHeader() {},
  status() {
    return this;
  },
  once() {},
  end() {},
};
const request = (i) => {
  const req = Object.create(requestProto);
  req.ip = ADDRESSES[i % ADDRESSES.length];
  return req;
};
const response = () => Object.create(responseProto);

let redis;
async function redisClient() {
  const { Redis } = await load('ioredis');
  const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

async function middlewareFor() {
  if (storeKind === 'redis') redis = await redisClient();
  if (variant === 'srekit') {
    const { rateLimit } = await import(
      new URL('../../packages/security/dist/rate-limit/rate-limit.js', import.meta.url).href
    );
    return rateLimit({
      policy: `bench-${process.pid}`,
      limit: LIMIT,
      windowMs: WINDOW_MS,
      ...(redis ? { redis } : {}),
    });
  }
  const { rateLimit } = await load('express-rate-limit');
  let store;
  if (redis) {
    const { RedisStore } = await load('rate-limit-redis');
    store = new RedisStore({
      prefix: `bare-${process.pid}:`,
      sendCommand: (command, ...args) => redis.call(command, ...args),
    });
  }
  return rateLimit({
    limit: LIMIT,
    windowMs: WINDOW_MS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(store ? { store } : {}),
  });
}

function decide(middleware, i) {
  return new Promise((resolve, reject) => {
    const res = response();
    const result = middleware(request(i), res, (error) => (error ? reject(error) : resolve()));
    if (result && typeof result.catch === 'function') result.catch(reject);
  });
}

async function sequential(middleware, n, offset) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await decide(middleware, offset + i);
  return Number(process.hrtime.bigint() - started) / 1e3 / n;
}

async function concurrent(middleware, n, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < n) await decide(middleware, next++);
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return n / seconds;
}

const middleware = await middlewareFor();
const memory = storeKind === 'memory';
const n = memory ? (quick ? 50_000 : 300_000) : quick ? 2_000 : 10_000;
await sequential(middleware, memory ? 50_000 : 1_000, 0); // warm-up: JIT, and every key exists
for (let r = 0; r < repeats; r++) {
  const usPerDecision = await sequential(middleware, n, r * n);
  const decisionsPerSecond = memory ? 1e6 / usPerDecision : await concurrent(middleware, n, 64);
  console.log(JSON.stringify({ variant, store: storeKind, n, usPerDecision, decisionsPerSecond }));
}
redis?.disconnect();
// The memory store keeps an interval timer; the measurement is done.
process.exit(0);
