import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const exps = process.argv.slice(2);
const cpu = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (+f[11] + +f[12]) / 100;
};
const res = Object.fromEntries(exps.map((e) => [e, []]));
for (let round = 0; round < 3; round++)
  for (const e of exps) {
    const [file, env] = e.startsWith('srekit') ? [`${e}.mjs`, ''] : ['_exp.mjs', e];
    const child = spawn('taskset', ['-c', '1', process.execPath, file], {
      env: { ...process.env, EXP: env, PORT: '18150', NODE_ENV: 'production' },
      detached: true,
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 1500));
    try {
      execFileSync('taskset', [
        '-c',
        '0',
        'wrk',
        '-t1',
        '-c32',
        '-d2s',
        'http://127.0.0.1:18150/users/42',
      ]);
      const c0 = cpu(child.pid);
      const out = execFileSync(
        'taskset',
        ['-c', '0', 'wrk', '-t1', '-c32', '-d5s', 'http://127.0.0.1:18150/users/42'],
        { encoding: 'utf8' },
      );
      const c1 = cpu(child.pid);
      const reqs = +/(\d+) requests in/.exec(out)[1];
      res[e].push({ rps: +/Requests\/sec:\s+([\d.]+)/.exec(out)[1], us: ((c1 - c0) / reqs) * 1e6 });
    } finally {
      process.kill(-child.pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
for (const e of exps)
  console.log(
    e.padEnd(16),
    'rps',
    med(res[e].map((x) => x.rps)).toFixed(0),
    'cpu us/req',
    med(res[e].map((x) => x.us)).toFixed(0),
    JSON.stringify(res[e].map((x) => Math.round(x.us))),
  );
