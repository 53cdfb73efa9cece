import express, { type Request } from 'express';
import type { Session } from '../../src/session/session.js';
import {
  type SessionsOptions,
  type SessionsRequest,
  sessions,
} from '../../src/session/sessions.js';

const of = (req: Request) => req as unknown as SessionsRequest & { session: Session };

/** An express app with `sessions()` and the routes a login flow needs, for the session tests. */
export function sessionApp(options: SessionsOptions) {
  const app = express();
  app.use(express.json());
  const auth = sessions(options);
  app.use(auth);
  app.get('/me', (req, res) => {
    const r = of(req);
    res.json({
      subject: r.auth?.subject ?? null,
      roles: r.auth?.roles ?? [],
      method: r.auth?.method ?? null,
      csrf: r.session.csrfToken ?? null,
    });
  });
  app.get('/login-form', async (req, res) => {
    await of(req).session.start();
    res.json({ csrf: of(req).session.csrfToken });
  });
  app.post('/login', async (req, res) => {
    const body = req.body as { user: string; roles?: string[] };
    await of(req).session.login(body.user, { roles: body.roles ?? ['viewer'] });
    res.json({ csrf: of(req).session.csrfToken });
  });
  app.post('/promote', async (req, res) => {
    await of(req).session.setRoles(['admin']);
    res.json({ csrf: of(req).session.csrfToken });
  });
  app.post('/rotate', async (req, res) => {
    await of(req).session.regenerate();
    res.json({ csrf: of(req).session.csrfToken });
  });
  app.post('/logout', async (req, res) => {
    await of(req).session.destroy();
    res.status(204).end();
  });
  app.post('/password', async (req, res) => {
    const r = of(req);
    const subject = r.auth?.subject as string;
    const revoked = await auth.revokeAll(subject);
    await r.session.login(subject, { roles: r.auth?.roles ?? [] });
    res.json({ revoked, csrf: r.session.csrfToken });
  });
  app.post('/cart', (req, res) => {
    of(req).session.set('cart', (req.body as { item: string }).item);
    res.json({ ok: true });
  });
  app.get('/cart', (req, res) => {
    res.json({ cart: of(req).session.get('cart') ?? null });
  });
  return { app, auth };
}

/** A one-cookie jar: what a browser would send back, without its HTTPS rules. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  readonly setCookies: string[] = [];

  constructor(
    public baseUrl: string,
    private readonly name: string,
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie === undefined ? {} : { cookie: `${this.name}=${this.cookie}` }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const set of res.headers.getSetCookie()) {
      this.setCookies.push(set);
      if (!set.startsWith(`${this.name}=`)) continue;
      const value = set.slice(this.name.length + 1).split(';')[0] as string;
      this.cookie = /Max-Age=0/.test(set) || value === '' ? undefined : value;
    }
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      // express's default error page: not JSON, and nothing the tests read.
    }
    if (typeof json?.csrf === 'string') this.csrf = json.csrf;
    return { status: res.status, json, headers: res.headers };
  }

  /** An unsafe request carrying the CSRF token, as the application's pages would send it. */
  post(path: string, body: unknown = {}) {
    return this.request(
      'POST',
      path,
      body,
      this.csrf === undefined ? {} : { 'x-csrf-token': this.csrf },
    );
  }

  get(path: string) {
    return this.request('GET', path);
  }
}
