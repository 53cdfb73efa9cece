'use strict';
// Shared plumbing for the server variants: listen on 127.0.0.1:$PORT, say "ready" on stdout,
// and on SIGTERM run the variant's shutdown, print one JSON line of stats, and exit.

function serve(app, { name, shutdown = async () => ({}) } = {}) {
  const port = Number(process.env.PORT ?? 0);
  const server = app.listen(port, '127.0.0.1', () => {
    process.stdout.write(`ready ${name} ${server.address().port}\n`);
  });
  server.keepAliveTimeout = 65_000;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const hardExit = setTimeout(() => process.exit(2), 5_000);
    hardExit.unref();
    server.closeAllConnections?.();
    server.close();
    let stats = {};
    try {
      stats = (await shutdown()) ?? {};
    } catch (err) {
      stats = { shutdownError: String(err) };
    }
    process.stdout.write(`stats ${JSON.stringify({ name, ...stats })}\n`);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

module.exports = { serve };
