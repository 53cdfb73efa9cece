// Peer: express-prom-bundle 8 (prom-client histogram per request), labelled by route template.
import express from 'express';
import promBundle from 'express-prom-bundle';
import serverUtil from './server-util.cjs';

const app = express();
app.use(
  promBundle({
    includeMethod: true,
    includePath: true,
    includeStatusCode: true,
    // Label by the matched route template (`/users/:id`), not the raw URL, as srekit does.
    normalizePath: (req, opts) =>
      req.route?.path ? `${req.baseUrl}${req.route.path}` : promBundle.normalizePath(req, opts),
    autoregister: true,
  }),
);
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
serverUtil.serve(app, { name: 'express-prom-bundle' });
