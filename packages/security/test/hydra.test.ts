import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listen, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { PasswordHasher } from '../src/password/password-hasher.js';
import { LoginThrottle } from '../src/throttle/login-throttle.js';

/**
 * Debian's hydra (http-post-form) brute-forces one account on a loopback login route: first
 * without the throttle, to show the attack setup works and finds the password, then with the
 * throttle, which must stop it. The numbers are printed for the notes.
 */

const run = promisify(execFile);
const hydra = requireBinary('hydra');

const ACCOUNT = 'alice';
const PASSWORD = 'Tr0ub4dor&3-horse';
const LIST_SIZE = 200;
const POSITION = 190;
/** The control run only has to show that the setup finds the password: a short list will do. */
const CONTROL_SIZE = 20;

interface Counts {
  attempts: number;
  hasherChecks: number;
  throttled: number;
  successes: number;
  /** The guesses that got past the throttle to the hasher. */
  admitted: string[];
}

async function loginApp(
  passwords: PasswordHasher,
  hash: string,
  throttle: LoginThrottle | undefined,
): Promise<{ server: TestServer; counts: Counts }> {
  const counts: Counts = { attempts: 0, hasherChecks: 0, throttled: 0, successes: 0, admitted: [] };
  const app = express();
  // The victim's request below comes through a (loopback) proxy with X-Forwarded-For.
  app.set('trust proxy', 'loopback');
  app.use(express.urlencoded({ extended: false }));
  app.get('/login', (_req, res) => {
    res
      .type('html')
      .send('<form method="post"><input name="username"><input name="password"></form>');
  });
  app.post('/login', (req, res, next) => {
    counts.attempts++;
    res.on('finish', () => {
      if (res.statusCode === 429) counts.throttled++;
    });
    if (!throttle) return next();
    throttle.middleware()(req, res, next);
  });
  app.post('/login', async (req, res) => {
    const account = String(req.body?.username ?? '');
    const attempt = { account, ip: req.ip };
    counts.hasherChecks++;
    const ok =
      account === ACCOUNT && (await passwords.verify(hash, String(req.body?.password ?? '')));
    if (!ok) {
      await throttle?.recordFailure(attempt);
      // A form login re-renders the form (hydra treats a 401 as HTTP auth and retries).
      res.status(200).type('text').send('invalid credentials');
      return;
    }
    await throttle?.recordSuccess(attempt);
    counts.successes++;
    res.type('text').send('Welcome back');
  });
  return { server: await listen(app), counts };
}

async function attack(
  url: string,
  list: string,
): Promise<{ found: boolean; output: string; seconds: number }> {
  const { port } = new URL(url);
  const cwd = await mkdtemp(join(tmpdir(), 'srekit-hydra-'));
  const started = performance.now();
  try {
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
        ACCOUNT,
        '-P',
        list,
        '-s',
        port,
        '127.0.0.1',
        'http-post-form',
        '/login:username=^USER^&password=^PASS^:S=Welcome',
      ],
      { cwd, timeout: 20_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    const output = `${stdout}\n${stderr}`;
    return {
      found: new RegExp(`login: ${ACCOUNT}\\s+password: `).test(output),
      output,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

describe.skipIf(!hydra)('hydra brute force against a loopback login route', () => {
  const passwords = new PasswordHasher();
  let hash: string;
  let dir: string;
  let list: string;
  let control: string;

  beforeAll(async () => {
    hash = await passwords.hash(PASSWORD);
    dir = await mkdtemp(join(tmpdir(), 'srekit-hydra-list-'));
    list = join(dir, 'passwords.txt');
    const guesses = Array.from(
      { length: LIST_SIZE },
      (_, i) => `guess-${String(i).padStart(3, '0')}-pw`,
    );
    guesses[POSITION - 1] = PASSWORD;
    await writeFile(list, `${guesses.join('\n')}\n`);
    control = join(dir, 'control.txt');
    const short = guesses.slice(0, CONTROL_SIZE);
    short[CONTROL_SIZE - 2] = PASSWORD;
    await writeFile(control, `${short.join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without the throttle, hydra finds the password in a short list (the attack setup works)', async () => {
    const { server, counts } = await loginApp(passwords, hash, undefined);
    try {
      const result = await attack(server.url, control);
      console.log(
        `[hydra] no throttle: found=${result.found} attempts=${counts.attempts} hasher=${counts.hasherChecks} 429s=${counts.throttled} in ${result.seconds.toFixed(1)} s`,
      );
      expect(result.found, result.output).toBe(true);
      expect(counts.successes).toBeGreaterThanOrEqual(1);
      expect(counts.hasherChecks).toBeGreaterThanOrEqual(CONTROL_SIZE - 5);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('with LoginThrottle, at most 10 of 200 guesses reach the hasher and the victim still logs in from elsewhere', async () => {
    const throttle = new LoginThrottle();
    const { server, counts } = await loginApp(passwords, hash, throttle);
    try {
      const result = await attack(server.url, list);
      console.log(
        `[hydra] LoginThrottle: found=${result.found} admitted=${counts.admitted.includes(PASSWORD) ? 'incl. the password' : 'not the password'} attempts=${counts.attempts} hasher=${counts.hasherChecks} 429s=${counts.throttled} in ${result.seconds.toFixed(1)} s`,
      );
      expect(counts.attempts).toBeGreaterThanOrEqual(LIST_SIZE);
      // Three free failures, then exponential backoff: only a handful of guesses are ever checked
      // (a few more than three because hydra keeps four requests in flight).
      expect(counts.hasherChecks).toBeLessThanOrEqual(10);
      expect(counts.throttled).toBe(counts.attempts - counts.hasherChecks);
      // Backoff (unlike a lock) admits a guess whenever a delay has passed, so hydra wins only if
      // the right password is one of those few admitted guesses; which ones are admitted depends
      // on hydra's pace, so the test checks that hydra's verdict matches what reached the hasher.
      expect(result.found, result.output).toBe(counts.admitted.includes(PASSWORD));
      expect(counts.successes).toBe(result.found ? 1 : 0);

      const victim = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '198.51.100.20',
        },
        body: new URLSearchParams({ username: ACCOUNT, password: PASSWORD }).toString(),
      });
      expect(victim.status).toBe(200);
      expect(await victim.text()).toBe('Welcome back');
    } finally {
      await server.close();
    }
  }, 30_000);
});
