/**
 * The built programs as the fleet runs them: `node dist/inventory.js` and `node dist/instance.js`
 * print `listening <port>` on standard output when ready, stop with exit code 0 on SIGTERM, and
 * an invalid configuration exits 2 naming the variable. Needs the build (`npm test` runs it
 * first); skipped when dist/ is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const dist = (file: string): string => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const built = existsSync(dist('instance.js')) && existsSync(dist('inventory.js'));
const children: ChildProcess[] = [];

interface Program {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exit: Promise<number | null>;
}

function run(
  file: string,
  env: Record<string, string>,
): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [dist(file)], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

async function start(file: string, env: Record<string, string>): Promise<Program> {
  const program = run(file, env);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${file} did not print "listening": ${program.output()}`)),
      10_000,
    );
    const onData = (): void => {
      const match = /^listening (\d+)$/m.exec(program.output());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    program.child.stdout?.on('data', onData);
    void program.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${file} exited: ${program.output()}`));
    });
  });
  return { child: program.child, port, exit: program.exit };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe.skipIf(!built)('the instance and inventory programs', () => {
  it('start, serve and stop gracefully on SIGTERM', async () => {
    const inventory = await start('inventory.js', {});
    const instance = await start('instance.js', {
      INVENTORY_URLS: `http://127.0.0.1:${inventory.port}`,
      INSTANCE_ID: 'orders-program',
    });
    const status = await fetch(`http://127.0.0.1:${instance.port}/status.json`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { instance: string }).instance).toBe('orders-program');
    expect((await fetch(`http://127.0.0.1:${instance.port}/readyz`)).status).toBe(200);

    instance.child.kill('SIGTERM');
    inventory.child.kill('SIGTERM');
    expect(await instance.exit).toBe(0);
    expect(await inventory.exit).toBe(0);
  }, 20_000);

  it('exits 2 with the invalid variables named', async () => {
    const program = run('instance.js', { PORT: 'eighty', INVENTORY_URLS: '' });
    expect(await program.exit).toBe(2);
    expect(program.output()).toMatch(/PORT: "eighty" is not a port number/);
    expect(program.output()).toMatch(/INVENTORY_URLS: not set/);
  }, 10_000);
});
