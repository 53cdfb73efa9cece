import type { FleetBackend, FleetSlo, FleetStatus } from './fleet-status.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pct = (ratio: number | undefined, digits = 3) =>
  ratio === undefined ? '–' : `${(ratio * 100).toFixed(digits)} %`;
const num = (value: number | undefined, digits = 2) =>
  value === undefined ? '–' : value.toFixed(digits);

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return 'not burning';
  if (seconds <= 0) return 'exhausted';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** A small SVG line chart of one window's burn rate history, with a text alternative. */
export function sparkline(points: readonly number[], label: string): string {
  const width = 90;
  const height = 28;
  const max = Math.max(1, ...points);
  const step = points.length > 1 ? width / (points.length - 1) : width;
  const path = points
    .map((p, i) => `${(i * step).toFixed(1)},${(height - (p / max) * (height - 2) - 1).toFixed(1)}`)
    .join(' ');
  const threshold = (height - (1 / max) * (height - 2) - 1).toFixed(1);
  return `<svg class="spark" role="img" aria-label="${escapeHtml(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escapeHtml(label)}</title><line x1="0" x2="${width}" y1="${threshold}" y2="${threshold}" class="one"/>${points.length > 0 ? `<polyline points="${path}"/>` : ''}</svg>`;
}

function sloSection(slo: FleetSlo): string {
  const windows = slo.windows
    .map((w) => {
      const points = slo.history[w.window] ?? [];
      return `<tr><th scope="row">${escapeHtml(w.window)}</th><td>${w.total}</td><td>${pct(w.sli)}</td><td class="${(w.burnRate ?? 0) >= 1 ? 'hot' : ''}">${num(w.burnRate)}</td><td>${sparkline(points, `Burn rate over the ${w.window} window, last ${points.length} samples; latest ${num(w.burnRate)}`)}</td></tr>`;
    })
    .join('');
  const tiers = slo.tiers
    .map(
      (t) =>
        `<li class="${t.firing ? 'firing' : 'quiet'}">${escapeHtml(t.severity)} ${escapeHtml(t.id)} (×${t.burnFactor} over ${escapeHtml(t.longWindow)} and ${escapeHtml(t.shortWindow)}): <strong>${t.firing ? 'FIRING' : 'quiet'}</strong></li>`,
    )
    .join('');
  const id = `slo-${slo.sloId.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return `<section class="slo" aria-labelledby="${id}"><h3 id="${id}">${escapeHtml(slo.sloId)}${slo.firing ? ' <span class="badge firing">firing</span>' : ''}</h3>
<dl><dt>Objective</dt><dd>${escapeHtml(slo.objective)} %</dd><dt>SLI (period)</dt><dd>${pct(slo.sli)}</dd><dt>Error budget remaining</dt><dd>${pct(slo.budgetRemaining, 1)}</dd><dt>Exhaustion forecast (${escapeHtml(slo.forecastWindow)} burn)</dt><dd>${duration(slo.timeToExhaustionSeconds)}</dd></dl>
<table><caption>Burn rate per window of ${escapeHtml(slo.sloId)} (1 = spending the budget exactly over the period)</caption><thead><tr><th scope="col">Window</th><th scope="col">Events</th><th scope="col">SLI</th><th scope="col">Burn rate</th><th scope="col">Trend</th></tr></thead><tbody>${windows}</tbody></table>
<ul class="tiers" aria-label="Alert tiers of ${escapeHtml(slo.sloId)}">${tiers}</ul></section>`;
}

function backendRow(b: FleetBackend): string {
  return `<tr><th scope="row"><a href="${escapeHtml(b.url)}/metrics">${escapeHtml(b.id)}</a></th><td class="state-${escapeHtml(b.state)}">${escapeHtml(b.state)}</td><td>${escapeHtml(b.health)}</td><td>${escapeHtml(b.circuit)}</td><td>${num(b.rps, 1)}</td><td>${pct(b.errorRatio, 1)}</td><td>${b.p99Ms === undefined ? '–' : `${b.p99Ms.toFixed(1)} ms`}</td><td>${b.activeRequests}</td><td>${b.reachable ? 'yes' : 'no'}</td><td>${b.faults.length === 0 ? 'none' : escapeHtml(JSON.stringify(b.faults))}</td></tr>`;
}

/** The body of the page: everything that updates. */
export function renderStatusBody(status: FleetStatus): string {
  const s = status.security;
  return `<p class="meta">Updated <time datetime="${escapeHtml(status.generatedAt)}">${escapeHtml(status.generatedAt)}</time> · pool <strong>${escapeHtml(status.pool.name)}</strong> (${escapeHtml(status.pool.strategy)}): ${status.pool.eligible} of ${status.pool.total} backends eligible${status.pool.panic ? ' · <strong class="hot">panic mode</strong>' : ''}</p>
<section aria-labelledby="slos-heading"><h2 id="slos-heading">Service level objectives</h2>${status.slos.length === 0 ? '<p>No SLO status yet.</p>' : `<div class="slos">${status.slos.map(sloSection).join('')}</div>`}</section>
<section aria-labelledby="backends-heading"><h2 id="backends-heading">Backends</h2><table><caption>Backends of the proxy's pool (rates over the last sample)</caption><thead><tr><th scope="col">Backend</th><th scope="col">State</th><th scope="col">Health check</th><th scope="col">Circuit</th><th scope="col">Requests/s</th><th scope="col">Error ratio</th><th scope="col">p99</th><th scope="col">In flight</th><th scope="col">Status reachable</th><th scope="col">Faults</th></tr></thead><tbody>${status.backends.map(backendRow).join('')}</tbody></table></section>
<section aria-labelledby="security-heading"><h2 id="security-heading">Security events</h2><dl><dt>Audit events</dt><dd>${s.auditEvents}</dd><dt>Rate-limited requests</dt><dd>${s.rateLimited}</dd><dt>Failed logins</dt><dd>${s.loginFailures}</dd><dt>Lockouts</dt><dd>${s.lockouts}</dd></dl></section>
<section aria-labelledby="links-heading"><h2 id="links-heading">Links</h2><ul><li><a href="${escapeHtml(status.links.metrics)}">Proxy metrics</a></li><li><a href="/status.json">Fleet status (JSON)</a></li>${status.links.instanceMetrics.map((u, i) => `<li><a href="${escapeHtml(u)}">Instance ${i + 1} metrics</a></li>`).join('')}</ul></section>`;
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:84rem;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #767676}h3{font-size:1.1rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #767676;padding:.2rem .5rem;text-align:left}caption{text-align:left;font-style:italic}
.slos{display:grid;grid-template-columns:repeat(auto-fit,minmax(25rem,1fr));gap:0 1.5rem}.slos td{white-space:nowrap}.slos th,.slos td{padding:.15rem .35rem}
dl{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}dd{margin:0;font-weight:600}
.hot,.firing strong,.state-ejected,.state-unhealthy{color:#a00000}.state-draining{color:#7a4a00}.state-healthy{color:#0a5c0a}
.badge{font-size:.8rem;padding:0 .4rem;border-radius:.3rem;background:#a00000;color:#fff}
.spark polyline{fill:none;stroke:#0b4f9c;stroke-width:1.5}.spark .one{stroke:#a00000;stroke-dasharray:3 2}
.meta{color:#333}a{color:#0b4f9c}`;

/**
 * The page's script: the same render functions as the server (their source, no bundler), fed by
 * polling `/status.json` every 2 s.
 */
const SCRIPT = `(function(){
var pct=${pct.toString()};
var num=${num.toString()};
${[escapeHtml, duration, sparkline, sloSection, backendRow, renderStatusBody].map((f) => f.toString()).join('\n')}
var el=document.getElementById('live');var note=document.getElementById('live-note');
async function tick(){try{var r=await fetch('/status.json',{cache:'no-store'});if(r.ok){el.innerHTML=renderStatusBody(await r.json());note.textContent='Live: updates every 2 seconds.';}else{note.textContent='Update failed: HTTP '+r.status;}}catch(e){note.textContent='Update failed: '+e.message;}}
setInterval(tick,2000);})();`;

/** The whole status page, server-side rendered (a static snapshot without JavaScript). */
export function renderStatusPage(status: FleetStatus): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>srekit fleet status</title><style>${CSS}</style></head>
<body><header><h1>srekit reference service: fleet status</h1><p id="live-note" aria-live="polite">Snapshot; with JavaScript on, the page updates every 2 seconds.</p></header>
<main id="live">${renderStatusBody(status)}</main><script>${SCRIPT}</script></body></html>`;
}
