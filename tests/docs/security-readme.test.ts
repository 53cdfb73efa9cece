/**
 * Runs the "secure-by-default login API" of packages/security/README.md as written (only the
 * final `app.listen(8080)` is swapped for an export) and checks what the README says a client
 * sees.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listen, type TestServer } from '@srekit/core/testing';
import { generateTotp } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const readme = await readFile(
  new URL('../../packages/security/README.md', import.meta.url),
  'utf8',
);
const start = readme.indexOf('```js', readme.indexOf('## Example: a secure-by-default login API'));
const example = readme.slice(start + 6, readme.indexOf('```', start + 6));

interface ExampleModule {
  app: { listen: (port: number, host: string, cb: () => void) => import('node:http').Server };
  users: Map<string, { totpSecret: string }>;
  telemetry: { shutdown(): Promise<unknown> };
}

describe('the @srekit/security README example', () => {
  let dir: string;
  let mod: ExampleModule;
  let server: TestServer;

  beforeAll(async () => {
    expect(example).toContain('app.listen(8080);');
    // Inside the repository, so the example's imports resolve to the workspace packages.
    dir = await mkdtemp(join(import.meta.dirname, '.readme-example-'));
    const file = join(dir, 'app.mjs');
    await writeFile(
      file,
      example.replace('app.listen(8080);', 'export { app, users, telemetry };'),
    );
    mod = (await import(pathToFileURL(file).href)) as ExampleModule;
    server = await listen(mod.app);
  });

  afterAll(async () => {
    await server?.close();
    await mod?.telemetry.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it('logs in with password and TOTP, then enforces RBAC and CSRF on the session', async () => {
    const secret = mod.users.get('ada')?.totpSecret ?? '';
    const code = generateTotp(secret, { time: Date.now() });
    const login = await post(
      '/login',
      form({ username: 'ada', password: 'correct horse battery staple', code }),
    );
    expect(login.status).toBe(200);
    expect(login.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    );
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const session = cookie.split(';')[0] ?? '';

    expect((await post('/orders/7/cancel', '')).status).toBe(401);
    expect((await post('/orders/7/cancel', '', { cookie: session })).status).toBe(403);
    const cancelled = await post('/orders/7/cancel', '', {
      cookie: session,
      'x-csrf-token': csrfToken,
    });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toEqual({ cancelled: '7' });

    // The same TOTP code does not work twice.
    const replay = await post(
      '/login',
      form({ username: 'ada', password: 'correct horse battery staple', code }),
    );
    expect(replay.status).toBe(401);
  });

  it('answers the 6th login attempt in a minute with 429, draft-8 headers and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      last = await post(
        '/login',
        form({ username: `mallory${attempt}`, password: 'wrong password', code: '000000' }),
      );
      statuses.push(last.status);
    }
    // Two logins of the first test count towards the same limit of 5 per minute.
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
    expect(last?.status).toBe(429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last?.headers.get('ratelimit-policy')).toMatch(/^"login"; ?q=5; ?w=60/);
    expect(last?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
