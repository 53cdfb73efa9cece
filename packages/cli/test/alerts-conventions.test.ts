import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { METRICS as CORE_METRICS, RUNTIME_METRICS } from '@srekit/core';
import { METRICS as ENGINE_METRICS } from '@srekit/engine';
import { METRICS as SECURITY_METRICS } from '@srekit/security';
import { RULES, METRICS as SLO_METRICS } from '@srekit/slo';
import { describe, expect, it } from 'vitest';
import { coreAlerts } from '../src/alerts/core.js';
import { DASHBOARD_UIDS, DEFAULT_RUNBOOK_BASE_URL } from '../src/alerts/defaults.js';
import { engineAlerts } from '../src/alerts/engine.js';
import { securityAlerts } from '../src/alerts/security.js';
import { sloAlerts } from '../src/alerts/slo.js';
import type { MixinAlert, MixinOptions } from '../src/mixins/types.js';
import { PROMETHEUS_SERIES } from '../src/prometheus-series.js';

const RUNBOOKS = readFileSync(new URL('../../../docs/runbooks.md', import.meta.url), 'utf8');
const ANCHORS = new Set([...RUNBOOKS.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));

function alerts(options: MixinOptions = {}): MixinAlert[] {
  return [coreAlerts, sloAlerts, securityAlerts, engineAlerts]
    .flatMap((build) => build(options).groups)
    .flatMap((g) => g.rules.filter((r): r is MixinAlert => 'alert' in r));
}

/** Series names the alerts may read: the packages' METRICS (histograms with their suffixes). */
const KNOWN_SERIES = new Set<string>([
  ...Object.values(RUNTIME_METRICS),
  ...Object.values(PROMETHEUS_SERIES),
  RULES.objective,
  ...[CORE_METRICS, SLO_METRICS, SECURITY_METRICS, ENGINE_METRICS].flatMap((metrics) =>
    Object.values(metrics).flatMap((m: { name: string; type: string }) =>
      m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
    ),
  ),
]);

interface ParsedExpr {
  readonly errors: string[];
  /** Each vector selector: its metric name and its matchers as written. */
  readonly selectors: { name: string; text: string }[];
  readonly ranges: string[];
}

function parse(expr: string): ParsedExpr {
  const errors: string[] = [];
  const selectors: { name: string; text: string }[] = [];
  const ranges: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`${node.from}: ${expr.slice(node.from, node.to + 10)}`);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        selectors.push({
          name: id === null ? '' : expr.slice(id.from, id.to),
          text: expr.slice(node.from, node.to),
        });
      }
      if (node.name === 'MatrixSelector') {
        const duration = node.node.getChild('DurationExpr');
        ranges.push(duration === null ? '' : expr.slice(duration.from, duration.to));
      }
      return undefined;
    },
  });
  return { errors, selectors, ranges };
}

describe('mixin alert conventions', () => {
  const all = alerts();

  it('has the alerts issue 6 asks for', () => {
    expect(all.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'SrekitTargetDown',
        'SrekitHigh5xxRatio',
        'SrekitHighP99Latency',
        'SrekitEventLoopLag',
        'SrekitHeapNearLimit',
        'SrekitProcessRestarts',
        'SrekitScrapeMissing',
        'SrekitNoHealthyBackends',
        'SrekitBackendEjected',
        'SrekitCircuitOpen',
        'SrekitRetryBudgetExhausted',
        'SrekitRateLimitSpike',
        'SrekitAuthFailureSpike',
        'SrekitLockouts',
        'SrekitRefreshTokenReuse',
        'SrekitJwtRejectionSpike',
        'SrekitSloBurnRatePage',
        'SrekitSloBurnRateTicket',
      ]),
    );
    expect(new Set(all.map((a) => a.alert)).size).toBe(all.length);
  });

  it('critical goes to the outages the issue names', () => {
    const critical = all.filter((a) => a.labels.severity === 'critical').map((a) => a.alert);
    expect(critical).toEqual(
      expect.arrayContaining(['SrekitNoHealthyBackends', 'SrekitRefreshTokenReuse']),
    );
  });

  describe.each(all.map((a) => [a.alert, a] as const))('%s', (name, alert) => {
    it('is CamelCase with the Srekit prefix and a known severity', () => {
      expect(name).toMatch(/^Srekit(?:[A-Z][a-z0-9]*)+$/);
      expect(['critical', 'warning', 'info']).toContain(alert.labels.severity);
      expect(Object.keys(alert.labels)).toEqual(['severity']);
    });

    it('has a one-sentence summary and a description', () => {
      const { summary, description } = alert.annotations;
      expect(summary).toMatch(/^[A-Z].*\.$/);
      expect(summary.slice(0, -1)).not.toMatch(/[.!?](\s|$)/);
      expect(summary).not.toContain('{{');
      expect(description).toMatch(/\.$/);
      expect(description.length).toBeGreaterThan(summary.length);
    });

    it('links a runbook section that exists and a dashboard with a fixed uid', () => {
      expect(alert.annotations.runbook_url).toBe(
        `${DEFAULT_RUNBOOK_BASE_URL}#${name.toLowerCase()}`,
      );
      expect(ANCHORS).toContain(name.toLowerCase());
      const uid = alert.annotations.dashboard_url.replace(/^\/d\//, '');
      expect(Object.values(DASHBOARD_UIDS)).toContain(uid);
    });

    it('has an expression that parses, reads known series over explicit ranges', () => {
      const parsed = parse(alert.expr);
      expect(parsed.errors).toEqual([]);
      expect(parsed.selectors.length).toBeGreaterThan(0);
      for (const selector of parsed.selectors) expect(KNOWN_SERIES).toContain(selector.name);
      for (const range of parsed.ranges) expect(range).toMatch(/^\d+[smhd]$/);
      expect(alert.expr).not.toContain('$__');
    });
  });

  it('ANDs the selector into every selector of the service series', () => {
    const selector = 'job=~"orders.*",env!="dev"';
    for (const alert of alerts({ selector })) {
      for (const s of parse(alert.expr).selectors) {
        // The SLO recording rules carry the SLO's labels, not the service's job or instance.
        if (s.name === RULES.objective) continue;
        expect(s.text, alert.alert).toContain('job=~"orders.*"');
        expect(s.text, alert.alert).toContain('env!="dev"');
      }
    }
  });

  it('builds URLs from the runbook and Grafana bases given', () => {
    for (const alert of alerts({
      runbookBaseUrl: 'https://wiki.example.com/runbooks',
      grafanaUrl: 'https://grafana.example.com/',
    })) {
      expect(alert.annotations.runbook_url).toBe(
        `https://wiki.example.com/runbooks#${alert.alert.toLowerCase()}`,
      );
      expect(alert.annotations.dashboard_url).toMatch(
        /^https:\/\/grafana\.example\.com\/d\/srekit-[a-z-]+$/,
      );
    }
  });
});
