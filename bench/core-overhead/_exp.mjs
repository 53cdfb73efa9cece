import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import express from 'express';
import client from 'prom-client';
import serverUtil from './server-util.cjs';

const mode = process.env.EXP;
const als = new AsyncLocalStorage();
const app = express();
const reg = new client.Registry();
const h = new client.Histogram({
  name: 'x',
  help: 'x',
  labelNames: ['m', 'r', 's'],
  registers: [reg],
});
const g = new client.Gauge({ name: 'g', help: 'g', labelNames: ['m'], registers: [reg] });
if (mode.includes('als')) app.use((req, res, next) => als.run({ id: 1 }, next));
if (mode.includes('uuid'))
  app.use((req, res, next) => {
    res.setHeader('x-request-id', randomUUID());
    next();
  });
if (mode.includes('close'))
  app.use((req, res, next) => {
    const t = performance.now();
    res.once('close', () => {
      h.observe(
        { m: req.method, r: req.route?.path ?? '', s: res.statusCode },
        (performance.now() - t) / 1e3,
      );
    });
    next();
  });
if (mode.includes('gauge'))
  app.use((req, res, next) => {
    g.inc({ m: 'GET' });
    res.once('close', () => g.dec({ m: 'GET' }));
    next();
  });
if (mode.includes('defaults')) client.collectDefaultMetrics({ register: reg });
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
serverUtil.serve(app, { name: mode });
