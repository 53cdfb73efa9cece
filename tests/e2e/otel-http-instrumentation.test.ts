import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Runs against the built @srekit/core (`npm test` builds first), in a real process where
// OpenTelemetry's http instrumentation patches node:http before the app loads.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
});

describe('@srekit/core under OpenTelemetry http auto-instrumentation', () => {
  it('names the instrumentation server span after the route and shares its trace id with the logs', async () => {
    child = spawn(
      process.execPath,
      [
        '--require',
        join(fixtures, 'otel-http-preload.cjs'),
        join(fixtures, 'otel-http-server.cjs'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const deadline = Date.now() + 15_000;
    while (!/READY (\d+)/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`server did not start:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const port = /READY (\d+)/.exec(stdout)?.[1];
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    const res = await fetch(`http://127.0.0.1:${port}/items/3`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(await res.json()).toEqual({ id: '3' });
    child.kill('SIGTERM');
    await once(child, 'exit');

    const spans = stdout
      .split('\n')
      .filter((line) => line.startsWith('SPAN '))
      .map(
        (line) =>
          JSON.parse(line.slice(5)) as {
            name: string;
            kind: number;
            traceId: string;
            route?: string;
            scope: string;
          },
      );
    const servers = spans.filter((s) => s.kind === 1);
    expect(servers).toEqual([
      {
        name: 'GET /items/:id',
        kind: 1,
        traceId,
        route: '/items/:id',
        scope: '@opentelemetry/instrumentation-http',
      },
    ]);
    const logs = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.find((l) => l.msg === 'in handler')?.trace_id).toBe(traceId);
    expect(logs.find((l) => l.msg === 'request completed')).toMatchObject({
      trace_id: traceId,
      route: '/items/:id',
    });
  });
});
