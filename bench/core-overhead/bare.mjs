// Baseline: express 5, one route, nothing else.
import express from 'express';
import serverUtil from './server-util.cjs';

const app = express();
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
serverUtil.serve(app, { name: 'bare' });
