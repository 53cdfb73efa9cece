import { listen, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/headers/security-headers.js';

/** Headers every express response has whatever the middleware: not part of the assertion. */
const TRANSPORT = new Set([
  'connection',
  'content-length',
  'content-type',
  'date',
  'etag',
  'keep-alive',
  'transfer-encoding',
]);

const PERMISSIONS_POLICY =
  'accelerometer=(), bluetooth=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), ' +
  'gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), ' +
  'screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()';

/** Every security header both presets send, with the same value. */
const COMMON = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'permissions-policy': PERMISSIONS_POLICY,
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(app: express.Express): Promise<string> {
  const server = await listen(app);
  servers.push(server);
  return server.url;
}

/** The response's headers minus the transport ones, as a plain object. */
async function securityHeaderSet(url: string): Promise<Record<string, string>> {
  const response = await fetch(url);
  await response.arrayBuffer();
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!TRANSPORT.has(name)) out[name] = value;
  });
  return out;
}

describe('securityHeaders against a real express app', () => {
  it('web preset: exactly the expected header set, and no X-Powered-By', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/', (_req, res) => {
      res.send('<p>hello</p>');
    });
    expect(await securityHeaderSet(`${await serve(app)}/`)).toEqual({
      ...COMMON,
      'content-security-policy':
        "default-src 'self';base-uri 'none';frame-ancestors 'none';object-src 'none';form-action 'self';" +
        "script-src 'self';script-src-attr 'none';style-src 'self';img-src 'self' data:;font-src 'self';" +
        "connect-src 'self';upgrade-insecure-requests",
    });
  });

  it('api preset: exactly the expected header set, with no-store caching', async () => {
    const app = express();
    app.use(securityHeaders({ preset: 'api' }));
    app.get('/orders', (_req, res) => {
      res.json({ orders: [] });
    });
    expect(await securityHeaderSet(`${await serve(app)}/orders`)).toEqual({
      ...COMMON,
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none';base-uri 'none';frame-ancestors 'none'",
    });
  });

  it('without the middleware express sends X-Powered-By (the removal is real)', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    expect(await securityHeaderSet(`${await serve(app)}/`)).toEqual({
      'x-powered-by': 'Express',
    });
  });

  it('a handler can still choose its own Cache-Control under the api preset', async () => {
    const app = express();
    app.use(securityHeaders({ preset: 'api' }));
    app.get('/public', (_req, res) => {
      res.set('Cache-Control', 'public, max-age=60').json({});
    });
    const headers = await securityHeaderSet(`${await serve(app)}/public`);
    expect(headers['cache-control']).toBe('public, max-age=60');
  });

  it('per-route CSP override replaces the policy on that route only and drops X-Frame-Options', async () => {
    const app = express();
    const headers = securityHeaders({ csp: { 'img-src': ["'self'", 'https://cdn.example'] } });
    app.use(headers);
    app.get(
      '/widget',
      headers.csp({ 'frame-ancestors': ['https://partner.example'] }),
      (_req, res) => {
        res.send('widget');
      },
    );
    app.get('/', (_req, res) => {
      res.send('home');
    });
    const url = await serve(app);
    const widget = await securityHeaderSet(`${url}/widget`);
    const home = await securityHeaderSet(`${url}/`);
    expect(widget['content-security-policy']).toContain('frame-ancestors https://partner.example');
    expect(widget['content-security-policy']).toContain("img-src 'self' https://cdn.example");
    expect(widget['content-security-policy']).toContain("base-uri 'none'");
    expect(widget['x-frame-options']).toBeUndefined();
    expect(home['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(home['x-frame-options']).toBe('DENY');
  });

  it('options adjust HSTS, the Permissions-Policy and report-only CSP', async () => {
    const app = express();
    app.use(
      securityHeaders({
        hsts: { maxAgeSeconds: 63_072_000, preload: true },
        permissionsPolicy: {
          geolocation: ['self'],
          camera: null,
          payment: ['https://pay.example'],
        },
        cspReportOnly: true,
        csp: { 'report-uri': ['/csp-reports'] },
      }),
    );
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const headers = await securityHeaderSet(`${await serve(app)}/`);
    expect(headers['strict-transport-security']).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
    expect(headers['permissions-policy']).toContain('geolocation=(self)');
    expect(headers['permissions-policy']).toContain('payment=("https://pay.example")');
    expect(headers['permissions-policy']).not.toContain('camera');
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['content-security-policy-report-only']).toContain('report-uri /csp-reports');
  });

  it('features can be switched off: csp, hsts and the Permissions-Policy', async () => {
    const app = express();
    app.use(securityHeaders({ csp: false, hsts: false, permissionsPolicy: false }));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const headers = await securityHeaderSet(`${await serve(app)}/`);
    expect(Object.keys(headers).sort()).toEqual(
      Object.keys(COMMON)
        .filter((name) => name !== 'strict-transport-security' && name !== 'permissions-policy')
        .sort(),
    );
  });
});
