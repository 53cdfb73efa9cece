import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The example runs as users run it: `node src/main.js` against the built @srekit/core
// (`npm test` builds before testing).
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

describe('examples/hello-service', () => {
  it('serves its routes, metrics and probes, then shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('Ctrl-C stops it')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`example did not start:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const path of ['/metrics', '/livez', '/readyz'])
      expect(stdout).toContain(`${base}${path}`);

    expect(await (await fetch(`${base}/users/1`)).json()).toEqual({ id: '1', name: 'Ada' });
    expect((await fetch(`${base}/users/999`)).status).toBe(404);
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get('content-type')).toContain('application/problem+json');
    expect(await boom.text()).not.toContain('a bug in a handler');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/users/:id",http_response_status_code="200"} 1',
    );
    expect(metrics).toContain('http_response_status_code="404"');

    const slow = fetch(`${base}/slow`).then((r) => r.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(await slow).toBe(200);
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"shutdown complete"');
  });
});
