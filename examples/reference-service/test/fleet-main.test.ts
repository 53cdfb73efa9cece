/**
 * The program `npm start` runs (`node dist/fleet/main.js`): it prints the URLs once the fleet is
 * up, stops every child on Ctrl-C, and leaves no orphan behind when it is itself killed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTotp } from '@srekit/security';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoTotpSecret } from '../src/app/demo-users.js';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist/fleet');
const MAIN = join(DIST, 'main.js');

interface Launch {
  readonly child: ChildProcess;
  /** Everything printed on stdout so far. */
  output(): string;
  readonly exit: Promise<number | string | null>;
}

const launches: Launch[] = [];

function launch(): Launch {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', FLEET_SIZE: '2', TRAFFIC_RPS: '1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const exit = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  const l = { child, output: () => out, exit };
  launches.push(l);
  return l;
}

/** Waits for the "is up" block and returns the URLs it lists. */
async function urlsOf(
  l: Launch,
): Promise<{ status: string; instances: string[]; inventories: string[] }> {
  await vi.waitUntil(() => l.output().includes('Ctrl-C stops everything.'), {
    timeout: 30_000,
    interval: 100,
  });
  const out = l.output();
  const status = /status page\s+(http:\/\/\S+)/.exec(out)?.[1];
  const instances = [...out.matchAll(/orders-\d+\s+(http:\/\/\S+)\/metrics/g)].map((m) => m[1]);
  const inventories = [...out.matchAll(/inventory-\d+\s+(http:\/\/\S+)/g)].map((m) => m[1]);
  if (status === undefined) throw new Error(`no status page URL in:\n${out}`);
  return { status, instances: instances as string[], inventories: inventories as string[] };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const l of launches.splice(0)) {
    if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL');
    await l.exit;
  }
});

describe('node dist/fleet/main.js (npm start)', () => {
  it('prints the status page, the metrics URLs and how to log in, then stops everything on SIGINT', async () => {
    const started = Date.now();
    const l = launch();
    const { status, instances } = await urlsOf(l);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(30_000);
    expect(instances).toHaveLength(2);
    expect(l.output()).toMatch(/proxy metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(l.output()).toMatch(/admin\s+password srekit-demo-admin/);

    const page = await fetch(status, { signal: AbortSignal.timeout(5_000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('orders-api-availability');
    for (const url of instances) expect(await answers(`${url}/livez`)).toBe(true);

    l.child.kill('SIGINT');
    expect(await l.exit).toBe(0);
    expect(l.output()).toContain('fleet stopped');
    for (const url of instances) expect(await answers(`${url}/livez`)).toBe(false);
  }, 45_000);

  it('leaves no orphan when the launcher itself is killed', async () => {
    const l = launch();
    const { instances, inventories } = await urlsOf(l);
    expect(inventories).toHaveLength(2);
    const children = [...instances, ...inventories].map((url) => `${url}/livez`);
    for (const url of children) expect(await answers(url)).toBe(true);

    l.child.kill('SIGKILL');
    await l.exit;
    // The children see their IPC channel close and shut down on their own.
    await vi.waitUntil(
      async () => {
        for (const url of children) if (await answers(url)) return false;
        return true;
      },
      { timeout: 10_000, interval: 200 },
    );
  }, 45_000);
});

describe('node dist/fleet/demo-code.js (the login help)', () => {
  const code = (...args: string[]) =>
    spawnSync(process.execPath, [join(DIST, 'demo-code.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, DEMO_TOTP_SEED: 'a seed of this test' },
    });

  it("prints the demo user's current TOTP code from DEMO_TOTP_SEED", () => {
    const before = Date.now();
    const { status, stdout } = code('operator');
    const secret = demoTotpSecret('operator', 'a seed of this test');
    expect(status).toBe(0);
    // The code of the 30 s step the program ran in (either side of a step boundary).
    expect([
      generateTotp(secret, { time: before }),
      generateTotp(secret, { time: Date.now() }),
    ]).toContain(stdout.trim());
    expect(stdout.trim()).not.toBe(generateTotp(demoTotpSecret('operator'), { time: before }));
  });

  it('exits 2 and names the roles for an unknown or missing role', () => {
    for (const args of [['root'], []]) {
      const { status, stderr, stdout } = code(...args);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('use one of viewer, operator, admin');
    }
  });
});
