import http from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { backend, poolOf, proxyServer } from './support/proxy-servers.js';

/** How long `vi.waitUntil` waits for state that changes on its own (timers, sockets). */
const WAIT = { timeout: 3_000, interval: 10 };

const MiB = 1024 * 1024;
const TOTAL = 200 * MiB;
const WARM_UP = 16 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/**
 * A stream of `total` bytes made of one reused chunk (the source itself allocates nothing);
 * `counter.sent` says how much was pulled from it so far.
 */
function generated(total: number, counter = { sent: 0 }): Readable {
  return new Readable({
    read() {
      if (counter.sent >= total) {
        this.push(null);
        return;
      }
      counter.sent += CHUNK.length;
      this.push(CHUNK);
    },
  });
}

/** Largest `sent − received` seen, sampled every 5 ms: the bytes buffered along the way. */
function watchGap(sent: () => number, received: () => number) {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, sent() - received());
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** The sink stalls this long before reading: a buffering proxy would soak up the body meanwhile. */
const STALL_MS = 300;

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

describe('proxy streaming', () => {
  it('streams a 200 MiB upload to the backend with backpressure, without buffering it', async () => {
    let received = 0;
    const b = await backend((req, res) => {
      req.pause();
      setTimeout(() => {
        req.on('data', (c: Buffer) => {
          received += c.length;
        });
        req.resume();
      }, STALL_MS);
      req.on('end', () => res.end(String(received)));
    });
    const { url } = await proxyServer(poolOf([b.url]), { timeoutMs: 0 });
    const upload = (total: number, counter: { sent: number }) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(`${url}/upload`, { method: 'POST', agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        generated(total, counter).pipe(req);
      });
    // Warm up first, so the baseline includes the heap a steady stream needs.
    expect(Number(await upload(WARM_UP, { sent: 0 }))).toBe(WARM_UP);
    received = 0;
    const counter = { sent: 0 };
    const memory = watchMemory();
    const gap = watchGap(
      () => counter.sent,
      () => received,
    );
    const answer = await upload(TOTAL, counter);
    const inFlightPeak = gap.stop();
    const growth = memory.stop();
    expect(Number(answer)).toBe(TOTAL);
    // Socket buffers and stream high-water marks on three hops: a few MiB, never the body.
    expect(inFlightPeak).toBeLessThan(32 * MiB);
    expect(growth).toBeLessThan(96 * MiB);
  });

  it('streams a 200 MiB download to the client with backpressure, without buffering it', async () => {
    const counter = { sent: 0 };
    const b = await backend((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const total = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes'));
      generated(total, counter).pipe(res);
    });
    const { url } = await proxyServer(poolOf([b.url]), { timeoutMs: 0 });
    let received = 0;
    const download = (total: number) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${url}/download?bytes=${total}`, { agent: false }, (res) => {
            res.pause();
            setTimeout(() => {
              res.on('data', (c: Buffer) => {
                received += c.length;
              });
              res.resume();
            }, STALL_MS);
            res.on('end', () => resolve(received));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    expect(await download(WARM_UP)).toBe(WARM_UP);
    counter.sent = 0;
    received = 0;
    const memory = watchMemory();
    const gap = watchGap(
      () => counter.sent,
      () => received,
    );
    const total = await download(TOTAL);
    const inFlightPeak = gap.stop();
    const growth = memory.stop();
    expect(total).toBe(TOTAL);
    expect(inFlightPeak).toBeLessThan(32 * MiB);
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
    await vi.waitUntil(() => backendClosed, WAIT);
    await vi.waitUntil(() => pool.stats().backends[0]?.activeRequests === 0, WAIT);
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
    await vi.waitUntil(() => arrived, WAIT);
    req.destroy();
    await vi.waitUntil(() => backendClosed, WAIT);
    await vi.waitUntil(() => proxy.inFlight === 0, WAIT);
    expect(pool.stats().backends[0]?.activeRequests).toBe(0);
  });
});
