import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { createTelemetry, LABELS, METRICS } from '../src/index.js';
import {
  createInMemoryTracing,
  LogCapture,
  listen,
  parseExposition,
} from '../src/testing/index.js';

describe('express 4', () => {
  it('resolves route templates through parameterised mounts', async () => {
    const spans = createInMemoryTracing();
    const telemetry = createTelemetry({
      serviceName: 'legacy',
      tracing: { spanProcessors: spans.spanProcessors },
      logging: { destination: new LogCapture() },
    });
    const app = express4();
    app.use(telemetry.middleware());
    app.get('/metrics', telemetry.metricsHandler());
    app.get('/items/:id', (_req, res) => void res.send('item'));
    const inner = express4.Router();
    inner.get('/files/:file', (_req, res) => void res.send('file'));
    const outer = express4.Router({ mergeParams: true });
    outer.use('/repos/:repo', inner);
    app.use('/orgs/:org', outer);
    const server = await listen(app);
    await fetch(`${server.url}/items/9`);
    await fetch(`${server.url}/orgs/acme/repos/web/files/readme`);
    const parsed = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    const routes = parsed.samples
      .filter((s) => s.name === `${METRICS.httpServerRequestDuration.name}_count`)
      .map((s) => s.labels[LABELS.route])
      .sort();
    expect(routes).toEqual(['/items/:id', '/orgs/:org/repos/:repo/files/:file']);
    await telemetry.shutdown();
    await server.close();
  });
});
