/**
 * Raw-socket HTTP helpers for the proxy fuzzing and chaos tests: send exact bytes, read what comes
 * back (status lines, whether the server closed), a backend that records every request it parses,
 * and a heap measurement after a full garbage collection.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What one raw exchange saw. */
export interface RawExchange {
  /** Every response bytes received, as latin1 text. */
  readonly text: string;
  /** Status codes of the response heads found in `text`, in order. */
  readonly statuses: number[];
  /** True when the server closed (or reset) the connection. */
  readonly closed: boolean;
  /** True when the server reset the connection (ECONNRESET / EPIPE). */
  readonly reset: boolean;
}

/** Options of {@link rawExchange}. */
export interface RawExchangeOptions {
  /** Delay between the chunks, in ms. Default 0. */
  readonly chunkDelayMs?: number;
  /** After the last chunk, stop waiting this long after the last byte received. Default 250. */
  readonly idleMs?: number;
  /** Longest wait in all, in ms. Default 3 000. */
  readonly timeoutMs?: number;
  /** Half-close the socket after the last chunk. Default false. */
  readonly endAfterWrite?: boolean;
}

const STATUS_LINE = /HTTP\/1\.[01] (\d{3}) /g;

/** Status codes of the response heads in `text`. */
export function statusesOf(text: string): number[] {
  return [...text.matchAll(STATUS_LINE)].map((m) => Number(m[1]));
}

/**
 * Opens a TCP connection to `port` on 127.0.0.1, writes `chunks` (strings are latin1), and reads
 * until the server closes, nothing arrived for `idleMs` after the last write, or `timeoutMs`.
 */
export function rawExchange(
  port: number,
  chunks: readonly (string | Uint8Array)[],
  options: RawExchangeOptions = {},
): Promise<RawExchange> {
  const { chunkDelayMs = 0, idleMs = 250, timeoutMs = 3_000, endAfterWrite = false } = options;
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    let closed = false;
    let reset = false;
    let written = false;
    let idleTimer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idleTimer);
      clearTimeout(overall);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      resolve({ text, statuses: statusesOf(text), closed, reset });
    };
    const armIdle = () => {
      if (!written) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(finish, idleMs);
    };
    const overall = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      armIdle();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') reset = true;
      closed = true;
      finish();
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    const writeAll = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (done || socket.destroyed) return;
        if (i > 0 && chunkDelayMs > 0) await new Promise((r) => setTimeout(r, chunkDelayMs));
        socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      }
      if (endAfterWrite && !socket.destroyed) socket.end();
      written = true;
      armIdle();
    };
    socket.once('connect', () => void writeAll());
  });
}

/** A request a {@link RecordingBackend} parsed. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** False when the connection went away before the body ended. */
  readonly complete: boolean;
}

/** A `node:http` backend that answers 200 with a small JSON body and records every request. */
export interface RecordingBackend {
  readonly url: string;
  readonly server: Server;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a {@link RecordingBackend} on 127.0.0.1 and a free port. Give several backends the same
 * `requests` array to get one log in arrival order.
 */
export async function startRecordingBackend(
  requests: RecordedRequest[] = [],
): Promise<RecordingBackend> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const record = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
      complete: false,
    };
    requests.push(record);
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      record.body = Buffer.concat(chunks).toString('latin1');
    });
    req.on('end', () => {
      record.complete = true;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let gc: (() => void) | undefined;
/**
 * `heapUsed` + `external` (Buffers live outside the JS heap) in bytes after two full garbage
 * collections (exposes `gc` on first use).
 */
export function memoryAfterGc(): number {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** True when `text` looks like it carries a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)|\bat (?:async )?[\w.<>]+ \((?:file|node):/.test(text);
}
