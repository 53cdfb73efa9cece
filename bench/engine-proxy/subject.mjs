// One Node reverse proxy of bench/engine-proxy, forwarding every request to $UPSTREAM_URL with
// keep-alive on both legs. Listens on 127.0.0.1:$PORT and prints `ready <port>` once it does, or
// `unavailable <reason>` (exit 3) when the subject cannot be built from the installed packages.
// Exits on SIGTERM.
//
// Usage: PORT=<port> UPSTREAM_URL=http://127.0.0.1:<port> node subject.mjs <srekit|reply-from|http-proxy>
import http from 'node:http';

const [name] = process.argv.slice(2);
const port = Number(process.env.PORT ?? 0);
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is not set');

function unavailable(reason) {
  process.stdout.write(`unavailable ${reason}\n`);
  process.exit(3);
}

/**
 * A plain Node server around `handler`, with keep-alive toward wrk as long as the run lasts.
 * Returns the subject's `listen()`: it resolves to the port once the server listens.
 */
function serve(handler) {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  return () =>
    new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve(server.address().port)),
    );
}

/** The subjects: each builds its proxy and returns its `listen()`. */
const SUBJECTS = {
  // srekit: createProxy() on a plain http server, one backend, health checks off; everything
  // else (outlier detection, breaker, retry policy, metrics) at its defaults.
  async srekit() {
    let engine;
    try {
      engine = await import('@srekit/engine');
    } catch (err) {
      unavailable(
        `@srekit/engine does not load (${err.code ?? err.message}); build it: npx tsc -b packages/engine`,
      );
    }
    const { Pool, createProxy } = engine;
    const pool = new Pool([{ id: 'upstream', url: upstream }], { healthCheck: false });
    const proxy = createProxy(pool, {});
    process.on('SIGTERM', () => pool.close());
    return serve(proxy);
  },

  // @fastify/reply-from 12 on fastify 5: undici pool toward the upstream (keep-alive by default),
  // logging off, one catch-all route.
  async 'reply-from'() {
    const { default: Fastify } = await import('fastify');
    const { default: replyFrom } = await import('@fastify/reply-from');
    const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
    await app.register(replyFrom, { base: upstream });
    app.get('/*', (req, reply) => reply.from(req.url));
    return async () => new URL(await app.listen({ port, host: '127.0.0.1' })).port;
  },

  // http-proxy 1.18 with a keep-alive agent: without one it sends `Connection: close` upstream
  // and opens a connection per request (ANCHORS: ≈ 500 rps, http-party/node-http-proxy#929).
  async 'http-proxy'() {
    const { default: httpProxy } = await import('http-proxy');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const proxy = httpProxy.createProxyServer({ target: upstream, agent });
    proxy.on('error', (err, _req, res) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${err.code ?? err.message}`);
    });
    return serve((req, res) => proxy.web(req, res));
  },

  // Calibration: the least any proxy on Node's http server and undici can cost — one undici
  // Pool, `request()`, the status and content type copied, the body piped; no header handling,
  // retries, errors or statistics.
  async 'undici-floor'() {
    const { Pool } = await import('undici');
    const pool = new Pool(upstream, { connections: 128 });
    return serve(async (req, res) => {
      try {
        const answer = await pool.request({ path: req.url, method: req.method });
        res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] });
        answer.body.pipe(res);
      } catch {
        res.writeHead(502).end();
      }
    });
  },

  // Calibration: Node's http server answering the upstream's body itself, no proxying at all:
  // the ceiling of any proxy written on node:http.
  async 'node-server'() {
    const { BODY: body } = await import('./nginx.mjs');
    return serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
  },
};

const make = SUBJECTS[name];
if (!make) throw new Error(`unknown subject ${name}; one of ${Object.keys(SUBJECTS).join(', ')}`);
const listen = await make();
process.stdout.write(`ready ${await listen()}\n`);
process.on('SIGTERM', () => process.exit(0));
