import express from 'express';

/**
 * The example service's routes, without any instrumentation: the same app the README shows
 * "before", so the difference srekit makes is the few lines in `main.js`.
 */
export function createApp({ beforeRoutes = [], afterRoutes = [] } = {}) {
  const app = express();
  app.disable('x-powered-by');
  for (const middleware of beforeRoutes) app.use(middleware);

  const users = new Map([
    ['1', { id: '1', name: 'Ada' }],
    ['2', { id: '2', name: 'Grace' }],
  ]);

  app.get('/', (_req, res) => {
    res.json({
      service: 'hello-service',
      try: ['/users/1', '/slow', '/flaky', '/boom', '/metrics', '/livez', '/readyz'],
    });
  });
  app.get('/users/:id', (req, res) => {
    const user = users.get(req.params.id);
    if (user === undefined) {
      res.status(404).json({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `No user ${req.params.id}`,
      });
      return;
    }
    res.json(user);
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ slow: true }), 200 + Math.random() * 300);
  });
  app.get('/flaky', (_req, res) => {
    if (Math.random() < 0.2)
      res.status(503).json({ type: 'about:blank', title: 'Service Unavailable', status: 503 });
    else res.json({ ok: true });
  });
  app.get('/boom', () => {
    throw new Error('a bug in a handler');
  });
  for (const middleware of afterRoutes) app.use(middleware);
  return app;
}
