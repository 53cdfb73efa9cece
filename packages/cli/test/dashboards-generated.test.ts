import { parseSloSpecs } from '@srekit/slo';
import { describe, expect, it } from 'vitest';
import { coreDashboards } from '../src/dashboards/core.js';
import { DASHBOARD_DEFAULTS, DASHBOARD_UIDS } from '../src/dashboards/defaults.js';
import { engineDashboards } from '../src/dashboards/engine.js';
import { securityDashboards } from '../src/dashboards/security.js';
import { sloDashboards, sloDashboardUid } from '../src/dashboards/slo.js';
import { lintDashboard } from '../src/lint/dashboard-lint.js';
import { parsePromql, substituteGrafanaVariables } from '../src/lint/promql.js';
import type { DashboardJson, MixinOptions } from '../src/mixins/types.js';

const SPECS = parseSloSpecs(
  `version: srekit/v1
service: checkout
labels:
  team: payments
slos:
  - name: availability
    objective: 99.9
    description: Checkout requests answered without a server error.
    sli:
      events:
        error_query: sum(rate(http_server_request_duration_seconds_count{job="checkout",http_response_status_code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_server_request_duration_seconds_count{job="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutAvailability
      tiers:
        ticket-slow: { enabled: false }
  - name: latency
    objective: 99
    window: { calendar: month, time_zone: UTC }
    sli:
      latency:
        histogram: http_server_request_duration_seconds
        selector: job="checkout",http_route="/checkout"
        threshold: 300ms
`,
  { filename: 'slos.yaml' },
);

const OPTIONS: MixinOptions = { specs: SPECS, traceDatasourceUid: 'traces' };

function all(options: MixinOptions = OPTIONS): Record<string, DashboardJson> {
  return {
    ...coreDashboards(options),
    ...sloDashboards(options),
    ...engineDashboards(options),
    ...securityDashboards(options),
  };
}

interface Panel {
  type: string;
  title?: string;
  targets?: { expr: string; exemplar?: boolean }[];
  panels?: Panel[];
  links?: { url: string }[];
}

function panels(d: DashboardJson): Panel[] {
  return ((d as unknown as { panels: Panel[] }).panels ?? []).flatMap((p) => [
    p,
    ...(p.panels ?? []),
  ]);
}

describe('generated dashboards', () => {
  const dashboards = all();

  it('are the fixed uids, one detail dashboard per SLO, named <uid>.json', () => {
    expect(Object.keys(dashboards).sort()).toEqual([
      'srekit-load-balancer.json',
      'srekit-security.json',
      'srekit-service-overview.json',
      'srekit-slo-checkout-availability.json',
      'srekit-slo-checkout-latency.json',
      'srekit-slo-overview.json',
    ]);
    for (const [file, d] of Object.entries(dashboards)) expect(`${d.uid}.json`).toBe(file);
  });

  it.each(Object.keys(dashboards))('%s passes the dashboard lint', (file) => {
    expect(lintDashboard(dashboards[file])).toEqual([]);
  });

  it.each(Object.keys(dashboards))('%s: every PromQL expression parses', (file) => {
    const exprs = panels(dashboards[file] as DashboardJson).flatMap((p) =>
      (p.targets ?? []).map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(3);
    for (const expr of exprs) {
      const { text } = substituteGrafanaVariables(expr, { inStrings: true });
      expect(text).not.toMatch(/\$/);
      expect({ expr, errors: parsePromql(text).errors }).toEqual({ expr, errors: [] });
    }
  });

  it('are byte-identical from the same input, and independent of spec order', () => {
    expect(JSON.stringify(all())).toBe(JSON.stringify(dashboards));
    const reversed = all({ ...OPTIONS, specs: [...SPECS].reverse() });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(dashboards));
  });

  it('are not editable and give every panel a unique id', () => {
    for (const d of Object.values(dashboards)) {
      expect(d.editable).toBe(false);
      const ids = (d as unknown as { panels: { id: number }[] }).panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('enable exemplars on latency panels and link them to the trace datasource', () => {
    const overview = dashboards['srekit-service-overview.json'] as DashboardJson;
    const latency = panels(overview).find((p) => p.title === 'Request duration p50 / p90 / p99');
    expect(latency?.targets?.map((t) => t.exemplar)).toEqual([true, true, true]);
    expect(latency?.links?.[0]?.url).toContain(encodeURIComponent('"datasource":"traces"'));
    const defaults = coreDashboards({});
    const fallback = panels(defaults['srekit-service-overview.json'] as DashboardJson).find(
      (p) => p.title === 'Request duration p50 / p90 / p99',
    );
    expect(fallback?.links?.[0]?.url).toContain(
      encodeURIComponent(`"datasource":"${DASHBOARD_DEFAULTS.traceDatasourceUid}"`),
    );
  });

  it('read the SLO recording rules for the SLO of each detail dashboard', () => {
    const detail = dashboards['srekit-slo-checkout-latency.json'] as DashboardJson;
    const exprs = panels(detail).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(
      exprs.some((e) => e.includes('slo:sli_error:ratio_rate1h{slo_id="checkout-latency"}')),
    ).toBe(true);
    expect(
      exprs.some((e) => e.includes('ALERTS{alertstate="firing",slo_id="checkout-latency"}')),
    ).toBe(true);
    expect(exprs.join('\n')).not.toContain('checkout-availability');
    // ticket-slow is disabled for availability: no 3d burn-rate series asked for.
    const availability = panels(
      dashboards['srekit-slo-checkout-availability.json'] as DashboardJson,
    )
      .flatMap((p) => (p.targets ?? []).map((t) => t.expr))
      .join('\n');
    expect(availability).not.toContain('ratio_rate3d');
    expect(availability).toContain('ratio_rate1d');
  });

  it('use the job selector option in the job variable only', () => {
    const d = coreDashboards({ selector: 'job=~"orders.*"' })[
      'srekit-service-overview.json'
    ] as unknown as {
      templating: { list: { name: string; query: string }[] };
    };
    expect(d.templating.list.find((v) => v.name === 'job')?.query).toBe(
      'label_values(http_server_request_duration_seconds_count{job=~"orders.*"}, job)',
    );
  });
});

describe('SLO dashboards in sloth compatibility mode', () => {
  const sloth = sloDashboards({ ...OPTIONS, compat: 'sloth' });

  it.each(Object.keys(sloth))(
    '%s passes the lint and reads sloth_* labels, without the forecast',
    (file) => {
      const d = sloth[file] as DashboardJson;
      expect(lintDashboard(d)).toEqual([]);
      const exprs = panels(d)
        .flatMap((p) => (p.targets ?? []).map((t) => t.expr))
        .join('\n');
      expect(exprs).toContain('sloth_id');
      // The tracker's own gauges keep slo_id; the rules and their alerts do not have it.
      expect(exprs).not.toMatch(/(slo:[a-z0-9_:]+|ALERTS)\{[^}]*\bslo_id=/);
      expect(exprs).not.toContain('slo:time_to_exhaustion:seconds');
    },
  );
});

describe('sloDashboardUid', () => {
  it('is srekit-slo-<id> when Grafana accepts it', () => {
    expect(sloDashboardUid('checkout-availability')).toBe(
      `${DASHBOARD_UIDS.sloDetailPrefix}checkout-availability`,
    );
  });

  it('stays within 40 characters, unique and stable, for long or odd ids', () => {
    const a = sloDashboardUid('a-very-long-service-name-with-a-long-slo-name-1');
    const b = sloDashboardUid('a-very-long-service-name-with-a-long-slo-name-2');
    expect(a.length).toBeLessThanOrEqual(40);
    expect(a).not.toBe(b);
    expect(sloDashboardUid('a-very-long-service-name-with-a-long-slo-name-1')).toBe(a);
    expect(sloDashboardUid('svc.name/slo')).toBe('srekit-slo-svc-name-slo');
  });
});
