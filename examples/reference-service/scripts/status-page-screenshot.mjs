#!/usr/bin/env node
/**
 * Takes the status page screenshot the root README shows, from a real fleet in a real browser:
 * three instances under the traffic generator, then an admin's fault (20 % errors on one
 * instance) so the page shows a burning SLO and an ejected backend.
 *
 *   npm run build
 *   node examples/reference-service/scripts/status-page-screenshot.mjs [out.png]
 *
 * Default output: docs/images/status-page.png. CHROMIUM names the browser binary (default
 * `chromium` on PATH). About a minute.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateTotp } from '@srekit/security';
import { chromium } from 'playwright-core';
import { demoPassword, demoTotpSecret } from '../dist/app/demo-users.js';
import { startFleet } from '../dist/fleet/fleet.js';
import { loginHelp } from '../dist/fleet/login-help.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const out = resolve(process.argv[2] ?? join(ROOT, 'docs/images/status-page.png'));
const browserPath =
  process.env.CHROMIUM ??
  execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();

async function json(url, init) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const body = await res.json();
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const fleet = await startFleet({
  size: 3,
  port: 0,
  trafficRps: 12,
  demoTotpSecret: loginHelp(undefined).totpSecret,
  logLevel: 'silent',
});
let browser;
try {
  console.log(`fleet up at ${fleet.statusUrl}; warming up for 20 s`);
  await sleep(20_000);
  const { accessToken } = await json(`${fleet.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: 'admin',
      password: demoPassword('admin'),
      code: generateTotp(demoTotpSecret('admin')),
    }),
  });
  const target = fleet.instances[1];
  await json(`${target.url}/api/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ route: '*', errorRatio: 0.2, latencyMs: 0 }),
  });
  console.log(`fault injected on ${target.id}; letting the page catch up for 25 s`);
  await sleep(25_000);

  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(fleet.statusUrl);
  await sleep(2_500); // one live update, so the page shows the script's rendering
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  await fleet.close();
}
