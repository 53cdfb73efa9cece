/**
 * The status page in a real browser (Debian's Chromium through playwright-core): it shows the
 * SLOs and the backends, and after an admin injects a fault through the API the page — updating
 * itself — shows the SLO firing and a backend's error ratio rising. A screenshot is kept in
 * test-results/ as an artifact.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTotp } from '@srekit/security';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { demoTotpSecret } from '../src/app/demo-users.js';
import type { Fleet } from '../src/fleet/fleet.js';
import { call } from './support/api.js';
import { startTestFleet } from './support/fleet.js';

const chromiumBin = requireBinary('chromium');
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const ARTIFACTS = join(import.meta.dirname, '..', 'test-results');

// Headless flags for this kind of machine: no sandbox as root, and no background traffic to
// Google's hosts on a closed network.
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!chromiumBin)('the status page in a browser', () => {
  let dir: string;
  let fleet: Fleet;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'srekit-fleet-browser-'));
    fleet = await startTestFleet({
      size: 2,
      trafficRps: 10,
      logDir: join(dir, 'logs'),
      sampleIntervalMs: 250,
    });
    browser = await chromium.launch({
      executablePath: chromiumBin as string,
      // playwright gives every launch a fresh, empty profile of its own.
      args: CHROMIUM_ARGS,
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('shows the SLOs and backends, then the burn and the error ratio after a fault', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(fleet.statusUrl);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('fleet status');
    expect(await page.title()).not.toBe('');
    for (const id of [
      'orders-api-availability',
      'orders-api-latency',
      'orders-login-availability',
    ]) {
      expect(await page.getByRole('heading', { name: id }).count()).toBe(1);
    }
    for (const instance of fleet.instances) {
      expect(await page.getByRole('rowheader', { name: instance.id }).count()).toBe(1);
    }
    const availability = page.locator('section.slo', {
      has: page.getByRole('heading', { name: 'orders-api-availability' }),
    });
    expect(await availability.locator('.badge.firing').count()).toBe(0);

    // An admin fails half of every route on every instance.
    const login = await call(fleet.url, 'POST', '/auth/login', {
      body: {
        username: 'admin',
        password: 'srekit-demo-admin',
        code: generateTotp(demoTotpSecret('admin')),
      },
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    for (const instance of fleet.instances) {
      const set = await call(instance.url, 'POST', '/api/admin/faults', {
        token,
        body: { route: '*', errorRatio: 0.5, latencyMs: 0 },
      });
      expect(set.status).toBeLessThan(300);
    }

    // The page updates itself: the SLO fires and the error ratio of the backends taking traffic
    // (p2c-ewma may send it all to one) leaves 0 %.
    await availability.locator('.badge.firing').waitFor({ timeout: 20_000 });
    const errorRatios = async (): Promise<number> => {
      let highest = 0;
      for (const instance of fleet.instances) {
        const row = page.getByRole('row', { name: new RegExp(`^${instance.id}\\b`) });
        const value = Number.parseFloat((await row.locator('td').nth(4).textContent()) ?? '');
        if (value > highest) highest = value;
      }
      return highest;
    };
    await expect.poll(errorRatios, { timeout: 15_000 }).toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'status-page.png'))).toBe(true);
  }, 60_000);

  it("passes axe-core's WCAG 2 A and AA rules (names, contrast, headings, tables), live and firing", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(fleet.statusUrl);
    // One live update first, so the check sees the script's rendering, not only the server's.
    await page.getByText('Live: updates every 2 seconds.').waitFor({ timeout: 10_000 });
    await page.addScriptTag({ path: AXE_SCRIPT });
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe;
      return (await axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      })) as {
        violations: { id: string; help: string; nodes: { target: string[] }[] }[];
        passes: { id: string }[];
      };
    });
    const violations = result.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
    expect(violations).toEqual([]);
    // The rules that matter here ran and passed (not merely found nothing to look at).
    const passed = new Set(result.passes.map((p) => p.id));
    for (const rule of [
      'color-contrast',
      'document-title',
      'html-has-lang',
      'th-has-data-cells',
      'svg-img-alt',
    ]) {
      expect(passed, rule).toContain(rule);
    }
    await page.close();
  }, 30_000);

  it('reads as a static snapshot with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(fleet.statusUrl);
      expect(await page.locator('#live-note').textContent()).toContain('Snapshot');
      for (const id of [
        'orders-api-availability',
        'orders-api-latency',
        'orders-login-availability',
      ]) {
        expect(await page.getByRole('heading', { name: id }).count()).toBe(1);
      }
      for (const instance of fleet.instances) {
        expect(await page.getByRole('rowheader', { name: instance.id }).count()).toBe(1);
      }
    } finally {
      await context.close();
    }
  });
});
