/**
 * A security smoke against the fleet, through the proxy: the JWT attack cases on an
 * authenticated route (each refused with a 401 problem and counted under its own rejection
 * reason by the instance that answered), RBAC on the admin route, and a bounded hydra run
 * (Debian's hydra) against the login of one demo account.
 */
import { execFile } from 'node:child_process';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JWT_DEFAULTS, RATE_LIMIT_PRESETS } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { demoPassword } from '../src/app/demo-users.js';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/app/service.js';
import { generateFleetKeys } from '../src/fleet/dev-keys.js';
import type { Fleet } from '../src/fleet/fleet.js';
import { call, login, TIMEOUT_MS } from './support/api.js';
import { startTestFleet } from './support/fleet.js';

const run = promisify(execFile);
const hydra = requireBinary('hydra');

type Json = Record<string, unknown>;

const b64 = (value: Json | string): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function decode(segment: string): Json {
  return JSON.parse(Buffer.from(segment, 'base64url').toString()) as Json;
}

/** Signs `header.payload` (EdDSA with a key object, HS256 with a secret) whatever the header says. */
function rawSign(header: Json, payload: Json, key: KeyObject | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    typeof key === 'string'
      ? createHmac('sha256', key).update(input).digest()
      : sign(null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

/** Sum over the instances (each one's own /metrics) of `security_jwt_rejections_total` by reason. */
async function rejections(fleet: Fleet): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const instance of fleet.instances) {
    const text = await (
      await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    ).text();
    for (const m of text.matchAll(
      /^security_jwt_rejections_total\{[^}]*reason="([a-z_]+)"[^}]*\} (\d+)/gm,
    )) {
      sums.set(m[1] as string, (sums.get(m[1] as string) ?? 0) + Number(m[2]));
    }
  }
  return sums;
}

/** Sum over the instances of `/auth/login` answers, by status code. */
async function loginAnswers(fleet: Fleet): Promise<Map<number, number>> {
  const sums = new Map<number, number>();
  for (const instance of fleet.instances) {
    const text = await (
      await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    ).text();
    for (const line of text.split('\n')) {
      if (
        !line.startsWith('http_server_request_duration_seconds_count{') ||
        !line.includes('http_route="/auth/login"')
      )
        continue;
      const status = Number(/http_response_status_code="(\d+)"/.exec(line)?.[1]);
      sums.set(status, (sums.get(status) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return sums;
}

async function getOrders(
  fleet: Fleet,
  token: string,
): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(`${fleet.url}/api/orders`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text: await res.text(),
  };
}

describe('security smoke against the fleet (through the proxy)', () => {
  const keys = generateFleetKeys();
  const fleetKey = createPrivateKey(keys.privateKeyPem);
  const publicJwk = (JSON.parse(keys.publicJwks) as { keys: Json[] }).keys[0] as Json;
  const kid = publicJwk.kid as string;
  let dir: string;
  let fleet: Fleet;
  /** A server of "attacker" keys: a token's `jku`/`x5u` points here; nothing may fetch it. */
  let attackerServer: Server;
  let attackerUrl: string;
  let attackerFetches = 0;
  let viewer: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'srekit-fleet-security-'));
    attackerServer = createServer((_req, res) => {
      attackerFetches++;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
    const address = attackerServer.address();
    attackerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    fleet = await startTestFleet({
      size: 3,
      keys,
      // The default memory stores (what `npm start` runs), even when the test run has Redis.
      env: { REDIS_URL: undefined },
      logDir: join(dir, 'logs'),
    });
    viewer = await login(fleet.url, 'viewer');
  }, 20_000);

  afterAll(async () => {
    await fleet?.close();
    await new Promise((resolve) => attackerServer?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  describe('JWT attacks on GET /api/orders', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const header = () => ({ alg: 'EdDSA', typ: JWT_DEFAULTS.accessTokenType, kid });
    /** The viewer's own claims with a fresh `jti` and `overrides` applied. */
    const claims = (overrides: Json = {}): Json => ({
      ...decode(viewer.accessToken.split('.')[1] as string),
      jti: randomUUID(),
      ...overrides,
    });
    const attacker = generateKeyPairSync('ed25519');
    const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid };
    const publicPem = createPublicKey(fleetKey).export({ type: 'spki', format: 'pem' }).toString();

    const cases: [name: string, reason: string, token: () => string][] = [
      [
        'alg "none"',
        'alg_not_allowed',
        () => `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims())}.`,
      ],
      [
        'HS256 signed with the public key (JWK) as the HMAC secret',
        'alg_not_allowed',
        () => rawSign({ ...header(), alg: 'HS256' }, claims(), JSON.stringify(publicJwk)),
      ],
      [
        'HS256 signed with the public key (PEM) as the HMAC secret',
        'alg_not_allowed',
        () => rawSign({ ...header(), alg: 'HS256' }, claims(), publicPem),
      ],
      [
        'a tampered payload (roles viewer → admin) with the original signature',
        'bad_signature',
        () => {
          const [h, p, s] = viewer.accessToken.split('.') as [string, string, string];
          return `${h}.${b64({ ...decode(p), roles: ['admin'] })}.${s}`;
        },
      ],
      [
        'an expired token',
        'expired',
        () => rawSign(header(), claims({ iat: now() - 7200, exp: now() - 3600 }), fleetKey),
      ],
      [
        'a token signed by a different key with the same kid',
        'bad_signature',
        () => rawSign(header(), claims(), attacker.privateKey),
      ],
      [
        'an unknown kid (signed by another key)',
        'bad_signature',
        () => rawSign({ ...header(), kid: 'attacker-1' }, claims(), attacker.privateKey),
      ],
      [
        'an unknown kid, even with the fleet key',
        'unknown_kid',
        () => rawSign({ ...header(), kid: 'attacker-1' }, claims(), fleetKey),
      ],
      [
        'a wrong issuer',
        'invalid_claims',
        () => rawSign(header(), claims({ iss: 'https://evil.example' }), fleetKey),
      ],
      [
        'a wrong audience',
        'invalid_claims',
        () => rawSign(header(), claims({ aud: 'billing-api' }), fleetKey),
      ],
      // A refresh token's audience is the issuer itself; re-signed for the API, its typ still fails.
      ['a refresh token used as an access token', 'invalid_claims', () => viewer.refreshToken],
      [
        'a refresh token re-signed with the access audience',
        'wrong_type',
        () => {
          const [h, p] = viewer.refreshToken.split('.') as [string, string, string];
          return rawSign(decode(h), { ...decode(p), aud: TOKEN_AUDIENCE }, fleetKey);
        },
      ],
      // The fleet has one key: the signature is checked first, so a key-carrying header signed
      // by an attacker fails as a bad signature, and one signed with the fleet key still fails.
      ...(['jku', 'x5u', 'jwk'] as const).flatMap((name): [string, string, () => string][] => {
        const value = () =>
          name === 'jwk'
            ? attackerJwk
            : `${attackerUrl}/${name === 'jku' ? 'jwks.json' : 'cert.pem'}`;
        return [
          [
            `a ${name} header pointing elsewhere (signed by the attacker)`,
            'bad_signature',
            () => rawSign({ ...header(), [name]: value() }, claims(), attacker.privateKey),
          ],
          [
            `a ${name} header, even signed with the fleet key`,
            'forbidden_header',
            () => rawSign({ ...header(), [name]: value() }, claims(), fleetKey),
          ],
        ];
      }),
      ['two segments', 'malformed', () => viewer.accessToken.split('.').slice(0, 2).join('.')],
      [
        'bad base64',
        'malformed',
        () => {
          const [, p, s] = viewer.accessToken.split('.') as [string, string, string];
          return `e*yJ!!.${p}.${s}`;
        },
      ],
      [
        `a huge token (> ${JWT_DEFAULTS.maxTokenBytes} bytes)`,
        'oversized',
        () =>
          rawSign(
            header(),
            claims({ pad: 'x'.repeat(JWT_DEFAULTS.maxTokenBytes) }),
            attacker.privateKey,
          ),
      ],
    ];

    it('accepts the valid token, and a token forged with the fleet key and the right claims', async () => {
      expect((await getOrders(fleet, viewer.accessToken)).status).toBe(200);
      // The forger itself is sound: every refusal below is the flaw under test, not the forger.
      expect(claims()).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
      const forged = rawSign(header(), claims(), fleetKey);
      expect((await getOrders(fleet, forged)).status).toBe(200);
    });

    for (const [name, reason, token] of cases) {
      it(`refuses ${name}: 401 problem, counted as ${reason}`, async () => {
        const before = await rejections(fleet);
        const res = await getOrders(fleet, token());
        expect(res.status, res.text).toBe(401);
        expect(res.contentType).toMatch(/^application\/problem\+json/);
        const body = JSON.parse(res.text) as Json;
        expect(body.status).toBe(401);
        expect(res.text).not.toMatch(/\bat \S+ \(|\.[jt]s:\d+|stack/i);
        const after = await rejections(fleet);
        const counted = [...after].filter(([r, n]) => n > (before.get(r) ?? 0)).map(([r]) => r);
        expect(counted).toEqual([reason]);
      });
    }

    it('never fetched the keys a jku or x5u header pointed to', () => {
      expect(attackerFetches).toBe(0);
    });

    it('answers 403 to a viewer on the admin fault route', async () => {
      const res = await call(fleet.url, 'POST', '/api/admin/faults', {
        token: viewer.accessToken,
        body: { route: '/api/catalog', errorRatio: 1 },
      });
      expect(res.status).toBe(403);
      expect(res.body.status).toBe(403);
    });
  });

  describe.skipIf(!hydra)('a bounded hydra run against the login', () => {
    const TARGET = 'operator';
    const GUESSES = 40;
    /**
     * hydra's form module takes a 401 for an HTTP-auth challenge (it stops with "the target is
     * using HTTP auth, not a web form" and retries the same guess), while the service answers a
     * failed JSON login with 401 as it should. This relay passes hydra's requests to the proxy
     * unchanged and only turns a 401 into a 200 with the same body on the way back, as a login
     * form would re-render; every guess still reaches the fleet's login through the proxy.
     */
    let relay: Server;
    let relayPort: number;

    beforeAll(async () => {
      relay = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const headers: Record<string, string> = {};
          const type = req.headers['content-type'];
          if (type !== undefined) headers['content-type'] = type;
          fetch(`${fleet.url}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            headers,
            signal: AbortSignal.timeout(TIMEOUT_MS),
            ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
          })
            .then(async (upstream) => {
              const body = await upstream.text();
              res.writeHead(upstream.status === 401 ? 200 : upstream.status, {
                'content-type': upstream.headers.get('content-type') ?? 'text/plain',
              });
              res.end(body);
            })
            .catch(() => {
              res.writeHead(502).end();
            });
        });
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const address = relay.address();
      relayPort = typeof address === 'object' && address ? address.port : 0;
    });

    afterAll(async () => {
      await new Promise((resolve) => relay?.close(resolve));
    });

    it(`finds no password in ${GUESSES} guesses; the limits refuse most; the fleet keeps serving`, async () => {
      const list = join(dir, 'passwords.txt');
      const guesses = Array.from(
        { length: GUESSES },
        (_, i) => `guess-${String(i).padStart(2, '0')}`,
      );
      // The real password comes last: by then the limits have refused the account for a while
      // (and the TOTP code hydra sends is wrong anyway).
      guesses[GUESSES - 1] = demoPassword(TARGET);
      writeFileSync(list, `${guesses.join('\n')}\n`);
      const before = await loginAnswers(fleet);
      const securityBefore = (await fleet.sample()).security;
      const started = performance.now();
      const { stdout, stderr } = await run(
        hydra as string,
        [
          '-I',
          '-t',
          '4',
          '-w',
          '5',
          '-f',
          '-l',
          TARGET,
          '-P',
          list,
          '-s',
          String(relayPort),
          '127.0.0.1',
          'http-post-form',
          // Optional headers (H=) go before the condition in hydra 9.4; `\:` escapes a colon.
          '/auth/login:{"username"\\:"^USER^","password"\\:"^PASS^","code"\\:"000000"}:H=Content-Type\\: application/json:S=accessToken',
        ],
        { cwd: dir, timeout: 20_000 },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }));
      const seconds = (performance.now() - started) / 1000;
      const output = `${stdout}\n${stderr}`;
      const after = await loginAnswers(fleet);
      const delta = (status: number) => (after.get(status) ?? 0) - (before.get(status) ?? 0);
      const security = (await fleet.sample()).security;
      const rateLimited = security.rateLimited - securityBefore.rateLimited;
      const failures = security.loginFailures - securityBefore.loginFailures;
      console.log(
        `[hydra] ${GUESSES} guesses in ${seconds.toFixed(1)} s: 401=${delta(401)} 429=${delta(429)} rateLimited=+${rateLimited} loginFailures=+${failures} lockouts=+${security.lockouts - securityBefore.lockouts}`,
      );
      expect(output).toMatch(/0 valid passwords? found/);
      expect(output).not.toMatch(/login: operator\s+password:/);
      expect(seconds).toBeLessThan(20);
      // Every guess was answered, by the login (401) or by a limit (429).
      expect(delta(401) + delta(429)).toBeGreaterThanOrEqual(GUESSES);
      // Each instance keeps its own memory stores, so at most `limit` guesses per instance get
      // past its rate limit (fewer: the login throttle backs off after three failures).
      expect(delta(401)).toBeLessThanOrEqual(
        fleet.instances.length * RATE_LIMIT_PRESETS.login.limit,
      );
      expect(delta(429)).toBeGreaterThan(GUESSES / 2);
      expect(failures).toBe(delta(401));
      expect(rateLimited).toBeGreaterThan(0);

      // The fleet keeps serving: another account logs in from the same address and calls the API.
      const admin = await login(fleet.url, 'admin');
      expect((await getOrders(fleet, admin.accessToken)).status).toBe(200);
    }, 25_000);
  });
});
