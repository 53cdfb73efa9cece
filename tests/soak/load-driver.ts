/**
 * The soak's load driver: a fixed request rate through the fleet's proxy, from several client
 * addresses (127.0.0.x, so per-address rate limits see several clients as in production), with a
 * realistic mix of public and logged-in calls and a login or a token refresh now and then.
 */
import { Agent, request } from 'node:http';
import { generateTotp } from '@srekit/security';
import { CATALOG } from '../../examples/reference-service/src/app/catalog.js';
import {
  demoPassword,
  demoTotpSecret,
  type Role,
} from '../../examples/reference-service/src/app/demo-users.js';

/** What one kind of call expects; anything else is a failure. */
export const EXPECTED_STATUS = {
  catalog: 200,
  list: 200,
  read: 200,
  create: 201,
  cancel: 200,
  login: 200,
  refresh: 200,
} as const;
export type CallKind = keyof typeof EXPECTED_STATUS;
/** The kinds in a fixed order: `LoadRecord.kind` holds indexes into it. */
export const CALL_KINDS = Object.keys(EXPECTED_STATUS) as CallKind[];

/** Share of each API call in every 20 requests: 30 % catalog, 10 % list, 40 % read, 10 % create, 10 % cancel. */
const MIX: readonly CallKind[] = [
  ...Array<CallKind>(6).fill('catalog'),
  ...Array<CallKind>(2).fill('list'),
  ...Array<CallKind>(8).fill('read'),
  ...Array<CallKind>(2).fill('create'),
  ...Array<CallKind>(2).fill('cancel'),
];

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const CANCELLERS: readonly Role[] = ['operator', 'admin'];
const REQUEST_TIMEOUT_MS = 5_000;
/** Requests in flight beyond this are not sent but counted as shed (a failure). */
const MAX_IN_FLIGHT = 1_000;
/** A login or a token refresh every this many ms (alternating, users in turn). */
const AUTH_EVERY_MS = 10_000;

export interface LoadOptions {
  /** Base URL of the proxy. */
  readonly baseUrl: string;
  readonly rps: number;
  readonly durationMs: number;
  /** Client addresses 127.0.0.11, 127.0.0.12, … Default 20. */
  readonly clients?: number;
}

/** What the driver saw; `startMs`/`latencyMs`/`status` hold one entry per request, in send order. */
export interface LoadRecord {
  readonly startedAt: number;
  /** Requests sent (API mix plus logins and refreshes). */
  sent: number;
  readonly startMs: Float64Array;
  readonly latencyMs: Float64Array;
  /** HTTP status, 0 for a network error or timeout. */
  readonly status: Uint16Array;
  /** Index of the call's kind in {@link CALL_KINDS}. */
  readonly kind: Uint8Array;
  readonly byKind: Record<CallKind, { sent: number; failed: number }>;
  /** Unexpected answers by `kind status`, e.g. `read 404`, `create 0`. */
  readonly failures: Record<string, number>;
  shed: number;
  maxInFlight: number;
}

interface Session {
  role: Role;
  accessToken: string;
  refreshToken: string;
  /** TOTP time step of the last login: a code is accepted once, so never log in twice in one step. */
  lastStep: number;
}

interface Answer {
  /** 0 for a network error or timeout (then `error` says which). */
  status: number;
  body: string;
  /** Error code, with ` reused` when it happened on a kept-alive socket. */
  error?: string;
}

function send(
  agent: Agent,
  base: URL,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          accept: 'application/json',
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e: NodeJS.ErrnoException) =>
          resolve({ status: 0, body: '', error: e.code ?? e.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        status: 0,
        body: '',
        error: `${e.code ?? e.message}${req.reusedSocket ? ' reused' : ''}`,
      }),
    );
    req.end(payload);
  });
}

function step(timeMs: number): number {
  return Math.floor(timeMs / 30_000);
}

/**
 * Runs the load for `durationMs` and resolves with the record. `record` is readable while it runs.
 * Every array is allocated up front, so the driver itself does not grow the test process's heap.
 */
export function startLoad(options: LoadOptions): {
  record: LoadRecord;
  done: Promise<LoadRecord>;
} {
  const base = new URL(options.baseUrl);
  const clientCount = options.clients ?? 20;
  const agents = Array.from(
    { length: clientCount },
    // `timeout`: idle sockets close after 3 s, before the proxy's 5 s keep-alive timeout; without
    // it Node's Agent ignores the server's Keep-Alive hint and races the server's close
    // (ECONNRESET on a reused socket).
    (_, i) =>
      new Agent({
        keepAlive: true,
        maxSockets: 16,
        timeout: 3_000,
        localAddress: `127.0.0.${11 + i}`,
      }),
  );
  const authCalls = Math.ceil(options.durationMs / AUTH_EVERY_MS) + 8;
  const capacity = Math.ceil((options.rps * options.durationMs) / 1000) + authCalls;
  const record: LoadRecord = {
    startedAt: Date.now(),
    sent: 0,
    startMs: new Float64Array(capacity),
    latencyMs: new Float64Array(capacity),
    status: new Uint16Array(capacity),
    kind: new Uint8Array(capacity),
    byKind: Object.fromEntries(
      Object.keys(EXPECTED_STATUS).map((k) => [k, { sent: 0, failed: 0 }]),
    ) as LoadRecord['byKind'],
    failures: {},
    shed: 0,
    maxInFlight: 0,
  };
  const sessions = new Map<Role, Session>();
  /** Orders each user placed (newest last, bounded) and orders still placed (to cancel). */
  const ownOrders = new Map<Role, string[]>(ROLES.map((r) => [r, []]));
  const placed: string[] = [];
  let inFlight = 0;

  const timed = async (
    kind: CallKind,
    agent: Agent,
    method: string,
    path: string,
    opts: { token?: string; body?: unknown } = {},
  ): Promise<Answer | undefined> => {
    const index = record.sent;
    if (index >= capacity) return undefined;
    record.sent += 1;
    record.byKind[kind].sent += 1;
    inFlight += 1;
    record.maxInFlight = Math.max(record.maxInFlight, inFlight);
    const t0 = performance.now();
    record.startMs[index] = Date.now() - record.startedAt;
    record.kind[index] = CALL_KINDS.indexOf(kind);
    const answer = await send(agent, base, method, path, opts);
    record.latencyMs[index] = performance.now() - t0;
    record.status[index] = answer.status;
    inFlight -= 1;
    if (answer.status !== EXPECTED_STATUS[kind]) {
      record.byKind[kind].failed += 1;
      const key = `${kind} ${answer.status}${answer.error ? ` ${answer.error}` : ''}`;
      record.failures[key] = (record.failures[key] ?? 0) + 1;
    }
    return answer;
  };

  const login = async (role: Role, agent: Agent): Promise<void> => {
    const now = Date.now();
    const answer = await timed('login', agent, 'POST', '/auth/login', {
      body: {
        username: role,
        password: demoPassword(role),
        code: generateTotp(demoTotpSecret(role), { time: now }),
      },
    });
    if (answer?.status !== 200) return;
    const pair = JSON.parse(answer.body) as { accessToken: string; refreshToken: string };
    sessions.set(role, { role, ...pair, lastStep: step(now) });
  };

  const refresh = async (session: Session, agent: Agent): Promise<void> => {
    const answer = await timed('refresh', agent, 'POST', '/auth/token', {
      body: { refreshToken: session.refreshToken },
    });
    if (answer?.status !== 200) return;
    const pair = JSON.parse(answer.body) as { accessToken: string; refreshToken: string };
    session.accessToken = pair.accessToken;
    session.refreshToken = pair.refreshToken;
  };

  const one = async (n: number): Promise<void> => {
    const agent = agents[n % clientCount] as Agent;
    let kind = MIX[n % MIX.length] as CallKind;
    const role = ROLES[Math.floor(n / MIX.length) % ROLES.length] as Role;
    const canceller = CANCELLERS[n % CANCELLERS.length] as Role;
    const mine = ownOrders.get(role) as string[];
    if (kind === 'read' && mine.length === 0) kind = 'list';
    if (kind === 'cancel' && placed.length === 0) kind = 'catalog';
    const token = sessions.get(kind === 'cancel' ? canceller : role)?.accessToken;
    switch (kind) {
      case 'catalog':
        await timed(kind, agent, 'GET', '/api/catalog');
        return;
      case 'list':
        await timed(kind, agent, 'GET', '/api/orders', { token });
        return;
      case 'read': {
        const id = mine[n % mine.length] as string;
        await timed(kind, agent, 'GET', `/api/orders/${encodeURIComponent(id)}`, { token });
        return;
      }
      case 'create': {
        const sku = CATALOG[n % CATALOG.length]?.sku;
        const answer = await timed(kind, agent, 'POST', '/api/orders', {
          token,
          body: { items: [{ sku, quantity: 1 + (n % 3) }] },
        });
        if (answer?.status !== 201) return;
        const { id } = JSON.parse(answer.body) as { id: string };
        mine.push(id);
        if (mine.length > 100) mine.shift();
        placed.push(id);
        return;
      }
      case 'cancel': {
        const id = placed.shift() as string;
        await timed(kind, agent, 'PATCH', `/api/orders/${encodeURIComponent(id)}/cancel`, {
          token,
        });
        return;
      }
      default:
        return;
    }
  };

  const done = (async () => {
    // Log every user in first (one login each, different users so no TOTP code is reused).
    await Promise.all(ROLES.map((role, i) => login(role, agents[i % clientCount] as Agent)));
    const started = performance.now();
    const pending = new Set<Promise<void>>();
    const fire = (p: Promise<void>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    let n = 0;
    let authTicks = 0;
    const total = Math.floor((options.rps * options.durationMs) / 1000);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started;
        const due = Math.min(total, Math.floor((elapsed * options.rps) / 1000));
        while (n < due) {
          if (inFlight >= MAX_IN_FLIGHT) {
            record.shed += 1;
            n += 1;
            continue;
          }
          fire(one(n));
          n += 1;
        }
        // Now and then a login (each user about once a minute) or a refresh-token rotation.
        if (elapsed >= (authTicks + 1) * AUTH_EVERY_MS && elapsed < options.durationMs) {
          const role = ROLES[Math.floor(authTicks / 2) % ROLES.length] as Role;
          const session = sessions.get(role);
          const agent = agents[authTicks % clientCount] as Agent;
          if (authTicks % 2 === 1 || session === undefined) {
            if (session === undefined || session.lastStep !== step(Date.now())) {
              fire(login(role, agent));
            }
          } else {
            fire(refresh(session, agent));
          }
          authTicks += 1;
        }
        if (n >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await Promise.allSettled([...pending]);
    for (const agent of agents) agent.destroy();
    return record;
  })();
  return { record, done };
}
