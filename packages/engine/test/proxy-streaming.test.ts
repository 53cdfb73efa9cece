import http from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backend, poolOf, proxyServer } from './support/proxy-servers.js';

const MiB = 1024 * 1024;
const TOTAL = 200 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** A stream of `total` bytes made of one reused chunk: the source itself allocates nothing. */
function generated(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      sent += CHUNK.length;
      this.push(CHUNK);
    },
  });
}

/** Samples the process RSS every 20 ms; `stop()` returns the largest growth seen. */
function watchMemory() {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return peak - base;
    },
  };
}

function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > until) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('proxy streaming', () => {
  it('streams a 200 MiB upload to the backend without buffering it', async () => {
    const b = await backend((req, res) => {
      let received = 0;
      req.on('data', (c: Buffer) => {
        received += c.length;
      });
      req.on('end', () => res.end(String(received)));
    });
    const { url } = await proxyServer(poolOf([b.url]), { timeoutMs: 0 });
    const memory = watchMemory();
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${url}/upload`, { method: 'POST', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      generated(TOTAL).pipe(req);
    });
    const growth = memory.stop();
    expect(Number(answer)).toBe(TOTAL);
    expect(growth).toBeLessThan(64 * MiB);
  });

  it('streams a 200 MiB download to the client without buffering it', async () => {
    const b = await backend((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      generated(TOTAL).pipe(res);
    });
    const { url } = await proxyServer(poolOf([b.url]), { timeoutMs: 0 });
    const memory = watchMemory();
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get(`${url}/download`, { agent: false }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const growth = memory.stop();
    expect(received).toBe(TOTAL);
    expect(growth).toBeLessThan(64 * MiB);
  });

  it('aborts the upstream request when the client disconnects mid-response', async () => {
    let backendClosed = false;
    const b = await backend((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('tick\n'), 10);
      res.on('close', () => {
        clearInterval(timer);
        backendClosed = true;
      });
    });
    const pool = poolOf([b.url]);
    const { url } = await proxyServer(pool);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${url}/stream`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no data')), 2_000);
    });
    await waitFor(() => backendClosed);
    await waitFor(() => pool.stats().backends[0]?.activeRequests === 0);
    // Cancelled, not counted as a backend failure.
    expect(pool.stats().backends[0]?.errors).toBe(0);
  });

  it('aborts the upstream request when the client disconnects before the response head', async () => {
    let backendClosed = false;
    let arrived = false;
    const b = await backend((_req, res) => {
      arrived = true;
      res.on('close', () => {
        backendClosed = true;
      });
    });
    const pool = poolOf([b.url]);
    const { url, proxy } = await proxyServer(pool);
    const req = http.get(`${url}/hang`, { agent: false });
    req.on('error', () => undefined);
    await waitFor(() => arrived);
    req.destroy();
    await waitFor(() => backendClosed);
    await waitFor(() => proxy.inFlight === 0);
    expect(pool.stats().backends[0]?.activeRequests).toBe(0);
  });
});
