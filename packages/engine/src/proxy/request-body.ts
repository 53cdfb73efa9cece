import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** Whether the request carries a body (RFC 9112 §6.3: a length or a transfer coding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * The request body as each try sends it.
 *
 * A buffered body (small enough to replay) is handed to every try whole. A streamed body is
 * handed out lazily: each try gets a fresh `Readable` that starts pulling from the client only
 * when the upstream connection reads it. A try that failed before reading (connection refused)
 * leaves the client stream untouched, so even a streamed body can go to the next backend; once
 * a try has read from it, it cannot be replayed.
 */
export class RequestBody {
  readonly #req: IncomingMessage;
  readonly #buffered: Buffer | undefined;
  readonly #prefix: Buffer[];
  #started = false;
  #rewritten = false;

  private constructor(req: IncomingMessage, buffered: Buffer | undefined, prefix: Buffer[]) {
    this.#req = req;
    this.#buffered = buffered;
    this.#prefix = prefix;
  }

  /** No body. */
  static empty(req: IncomingMessage): RequestBody {
    return new RequestBody(req, Buffer.alloc(0), []);
  }

  /**
   * A body that middleware before the proxy already read (e.g. `express.json()`): its parsed
   * `req.body` sent again, as is when it is a string or a buffer, as JSON otherwise. The
   * returned body is replayable; set `content-length` from {@link RequestBody.length}.
   */
  static consumed(req: IncomingMessage): RequestBody {
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    let bytes: Buffer;
    if (Buffer.isBuffer(parsed)) bytes = parsed;
    else if (typeof parsed === 'string') bytes = Buffer.from(parsed);
    else if (parsed === undefined || parsed === null) bytes = Buffer.alloc(0);
    else bytes = Buffer.from(JSON.stringify(parsed));
    const body = new RequestBody(req, bytes, []);
    body.#rewritten = true;
    return body;
  }

  /** Streams the body without buffering it. */
  static streamed(req: IncomingMessage): RequestBody {
    return new RequestBody(req, undefined, []);
  }

  /**
   * Reads up to `limit` bytes: a body that ends within it is buffered (replayable), a larger one
   * is streamed (its first chunks are kept and sent first). Resolves `undefined` when the client
   * went away while reading.
   */
  static async buffer(req: IncomingMessage, limit: number): Promise<RequestBody | undefined> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return RequestBody.streamed(req);
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onGone);
        req.off('close', onClose);
      };
      const onData = (chunk: Buffer): void => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > limit) {
          req.pause();
          cleanup();
          resolve(new RequestBody(req, undefined, chunks));
        }
      };
      const onEnd = (): void => {
        cleanup();
        resolve(new RequestBody(req, Buffer.concat(chunks, size), []));
      };
      const onGone = (): void => {
        cleanup();
        resolve(undefined);
      };
      const onClose = (): void => {
        if (!req.readableEnded) onGone();
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onGone);
      req.on('close', onClose);
    });
  }

  /** True when every try can send the body again. */
  get replayable(): boolean {
    return this.#buffered !== undefined || !this.#started;
  }

  /** The `content-length` to send when the body was rebuilt from `req.body`, else undefined. */
  get rewrittenLength(): number | undefined {
    return this.#rewritten ? this.#buffered?.length : undefined;
  }

  /** True when the body is buffered (or empty). */
  get buffered(): boolean {
    return this.#buffered !== undefined;
  }

  /** The body for one try: a buffer, `null` for no body, or a lazy stream. */
  forTry(): Buffer | Readable | null {
    if (this.#buffered !== undefined) return this.#buffered.length === 0 ? null : this.#buffered;
    return this.#lazyStream();
  }

  #lazyStream(): Readable {
    const req = this.#req;
    let attached = false;
    const onData = (chunk: Buffer): void => {
      if (!stream.push(chunk)) req.pause();
    };
    const onEnd = (): void => {
      stream.push(null);
    };
    const onError = (error: Error): void => {
      stream.destroy(error);
    };
    const onClose = (): void => {
      if (!req.readableEnded) stream.destroy(new Error('client closed the request body'));
    };
    const stream = new Readable({
      read: () => {
        if (!attached) {
          attached = true;
          this.#started = true;
          for (const chunk of this.#prefix.splice(0)) stream.push(chunk);
          if (req.readableEnded) {
            stream.push(null);
            return;
          }
          req.on('data', onData);
          req.on('end', onEnd);
          req.on('error', onError);
          req.on('close', onClose);
        }
        req.resume();
      },
      destroy: (error, callback) => {
        if (attached) {
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onError);
          req.off('close', onClose);
        }
        callback(error);
      },
    });
    return stream;
  }
}
