/**
 * Runs the usage example of packages/engine/README.md as written, with its three backend URLs
 * pointed at real loopback servers and `app.listen(8080)` at a free port, and checks what the
 * README says: requests reach a backend without the mount path, the pool's metrics are served,
 * and shutdown drains cleanly.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const readme = await readFile(new URL('../../packages/engine/README.md', import.meta.url), 'utf8');
const start = readme.indexOf('```js', readme.indexOf('## Usage'));
const example = readme.slice(start + 6, readme.indexOf('```', start + 6));

interface ExampleModule {
  server: http.Server;
  shutdown: () => Promise<void>;
}

describe('the @srekit/engine README example', () => {
  let dir: string;
  let mod: ExampleModule;
  let port: number;
  const backends: http.Server[] = [];
  const seen: { backend: number; url: string; forwardedFor: string | undefined }[] = [];

  beforeAll(async () => {
    const urls = ['http://10.0.0.7:8080', 'http://10.0.0.8:8080', 'http://10.0.0.9:8080'];
    let source = example;
    for (const [i, url] of urls.entries()) {
      expect(source).toContain(url);
      const backend = http.createServer((req, res) => {
        if (req.url !== '/readyz') {
          seen.push({
            backend: i,
            url: req.url ?? '',
            forwardedFor: req.headers['x-forwarded-for'] as string | undefined,
          });
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ backend: i, url: req.url }));
      });
      backend.listen(0, '127.0.0.1');
      await once(backend, 'listening');
      backends.push(backend);
      source = source.replace(url, `http://127.0.0.1:${(backend.address() as AddressInfo).port}`);
    }
    expect(source).toContain('const server = app.listen(8080);');
    expect(source).toContain("process.on('SIGTERM', ");
    source = source
      .replace('const server = app.listen(8080);', "const server = app.listen(0, '127.0.0.1');")
      .replace("process.on('SIGTERM', ", 'const shutdown = (');
    source += '\nexport { server, shutdown };\n';
    // Inside the repository, so the example's imports resolve to the workspace packages.
    dir = await mkdtemp(join(import.meta.dirname, '.readme-example-'));
    const file = join(dir, 'app.mjs');
    await writeFile(file, source);
    mod = (await import(pathToFileURL(file).href)) as ExampleModule;
    if (!mod.server.listening) await once(mod.server, 'listening');
    port = (mod.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await mod?.shutdown();
    for (const backend of backends) {
      backend.closeAllConnections();
      backend.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('proxies /api/* to the backends without the mount path and spreads the load', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/orders/${i}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { url: string }).url).toBe(`/orders/${i}`);
    }
    expect(new Set(seen.map((s) => s.backend)).size).toBeGreaterThan(1);
    expect(seen.every((s) => s.forwardedFor === '127.0.0.1')).toBe(true);
  });

  it("serves the pool's metrics on the service's /metrics", async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(
      /loadbalancer_requests_total\{pool="orders",backend="orders-\d",outcome="success"\} \d+/,
    );
    expect(text).toMatch(/loadbalancer_backend_up\{pool="orders",backend="orders-3"\} 1/);
  });
});
