import {
  formatBurnRate,
  formatDate,
  formatErrorRatio,
  formatSeconds,
  formatSli,
  NO_DATA,
} from './format.js';
import {
  budgetLine,
  firingLine,
  forecastBasisLine,
  objectiveLine,
  type SloReport,
  type SloReportEntry,
  tierState,
  tierWindows,
  windowEvents,
  windowLabel,
} from './report.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de;
  --critical: #a40e26; --warning: #7d4e00; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #30363d; --critical: #ff7b72; --warning: #d29922; --ok: #3fb950; } }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1, h2, h3 { line-height: 1.25; } h2 { border-top: 1px solid var(--line); padding-top: 1.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 0.9em ui-monospace, monospace; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
.critical { color: var(--critical); } .warning { color: var(--warning); } .ok { color: var(--ok); }
.muted { color: var(--muted); }
`;

/** A table row of HTML cells; the first cell heads the row (or the column, in a header row). */
function row(cells: readonly string[], header = false): string {
  const [first = '', ...rest] = cells;
  if (header) {
    return `<tr>${[first, ...rest].map((c) => `<th scope="col">${c}</th>`).join('')}</tr>`;
  }
  const data = rest.map((c) => {
    const numeric = /^[-\d.]/.test(c.replace(/<[^>]*>/g, ''));
    return numeric ? `<td class="num">${c}</td>` : `<td>${c}</td>`;
  });
  return `<tr><th scope="row">${first}</th>${data.join('')}</tr>`;
}

function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [
    '<table>',
    `<caption>${escapeHtml(caption)}</caption>`,
    `<thead>${row(headers.map(escapeHtml), true)}</thead>`,
    `<tbody>${rows.map((r) => row(r.map(escapeHtml))).join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

function stateClass(state: string): string {
  if (state === 'firing') return 'critical';
  if (state === 'ok') return 'ok';
  return state === NO_DATA || state === 'can never fire' ? 'warning' : 'muted';
}

function section(entry: SloReportEntry, index: number): string {
  const { data } = entry;
  const id = `slo-${index + 1}`;
  const facts: [string, string][] = [
    [
      'Objective',
      `${escapeHtml(objectiveLine(entry))} (an error budget of ${escapeHtml(formatErrorRatio(data.allowedErrorRatio))} of events, ${escapeHtml(formatSeconds(data.budgetSeconds))} of full outage)`,
    ],
    [
      'SLI',
      `${escapeHtml(entry.sli.summary)}<br>${entry.sli.queries
        .map(([label, query]) => `${escapeHtml(label)}: <code>${escapeHtml(query)}</code>`)
        .join('<br>')}`,
    ],
    [
      'SLI over the period',
      escapeHtml(
        `${formatSli(data.sli)}${data.events ? ` (${data.events.good} good of ${data.events.total})` : ''}`,
      ),
    ],
    ['Error budget remaining', escapeHtml(budgetLine(entry))],
    [
      'Budget exhausted in',
      entry.forecast.seconds === undefined && data.budgetRemaining === undefined
        ? escapeHtml(entry.forecast.text)
        : `${escapeHtml(entry.forecast.text)} <span class="muted">(from ${escapeHtml(forecastBasisLine(entry.forecast))})</span>`,
    ],
    ['Firing tiers', escapeHtml(firingLine(entry))],
  ];
  const windows = table(
    `Burn rates of ${entry.sloId}`,
    data.events
      ? ['Window', 'Error ratio', 'Burn rate', 'Bad events']
      : ['Window', 'Error ratio', 'Burn rate'],
    data.windows.map((w) => {
      const cells = [windowLabel(w), formatErrorRatio(w.errorRatio), formatBurnRate(w.burnRate)];
      return data.events ? [...cells, windowEvents(w) || NO_DATA] : cells;
    }),
  );
  const tiers = [
    '<table>',
    `<caption>${escapeHtml(`Alert tiers of ${entry.sloId}`)}</caption>`,
    `<thead>${row(['Tier', 'Severity', 'Windows', 'Fires above', 'Long window', 'Short window', 'State'], true)}</thead>`,
    `<tbody>${data.tiers
      .map((t) => {
        const state = tierState(t);
        return row([
          escapeHtml(t.id),
          escapeHtml(t.severity),
          escapeHtml(tierWindows(t)),
          escapeHtml(formatBurnRate(t.burnFactor)),
          escapeHtml(formatBurnRate(t.longBurnRate)),
          escapeHtml(formatBurnRate(t.shortBurnRate)),
          `<span class="${stateClass(state)}">${escapeHtml(state)}</span>`,
        ]);
      })
      .join('')}</tbody>`,
    '</table>',
  ].join('\n');
  const recommendations =
    entry.recommendations.length === 0
      ? '<p>None: nothing stands out.</p>'
      : `<ul>${entry.recommendations
          .map(
            (r) =>
              `<li><strong class="${r.level === 'info' ? 'muted' : r.level}">${escapeHtml(r.level)}:</strong> ${escapeHtml(r.text)}</li>`,
          )
          .join('')}</ul>`;
  return [
    `<section aria-labelledby="${id}">`,
    `<h2 id="${id}">${escapeHtml(entry.sloId)}</h2>`,
    entry.description ? `<p>${escapeHtml(entry.description)}</p>` : '',
    `<dl>${facts.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${value}</dd>`).join('')}</dl>`,
    '<h3>Burn rates</h3>',
    windows,
    '<h3>Alert tiers</h3>',
    tiers,
    '<h3>Recommendations</h3>',
    recommendations,
    '</section>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/**
 * Renders a report (from `buildReport()`) as one self-contained HTML page: no scripts, no
 * external styles or fonts, every value escaped, one `h1`, an `h2` per SLO, tables with captions
 * and header scopes, and state given in words, not only in colour.
 *
 * @example await writeFile('slo-report.html', renderReportHtml(buildReport(specs, data)));
 */
export function renderReportHtml(report: SloReport): string {
  const summary = [
    '<table>',
    '<caption>Summary</caption>',
    `<thead>${row(['SLO', 'Objective', 'SLI', 'Budget remaining', 'Exhausted in', 'Firing'], true)}</thead>`,
    `<tbody>${report.slos
      .map((e, i) =>
        row([
          `<a href="#slo-${i + 1}">${escapeHtml(e.sloId)}</a>`,
          escapeHtml(objectiveLine(e)),
          escapeHtml(formatSli(e.data.sli)),
          escapeHtml(budgetLine(e)),
          escapeHtml(e.forecast.text),
          escapeHtml(firingLine(e)),
        ]),
      )
      .join('')}</tbody>`,
    '</table>',
  ].join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    `<p>As of <time datetime="${escapeHtml(Number.isNaN(report.at.getTime()) ? '' : report.at.toISOString())}">${escapeHtml(formatDate(report.at))}</time>, from ${escapeHtml(report.source)}.</p>`,
    report.description ? `<p>${escapeHtml(report.description)}</p>` : '',
    ...report.warnings.map(
      (w) => `<p class="warning" role="note"><strong>Warning:</strong> ${escapeHtml(w)}</p>`,
    ),
    summary,
    ...report.slos.map(section),
    '</main>',
    '</body>',
    '</html>',
  ]
    .filter((part) => part !== '')
    .join('\n')
    .concat('\n');
}
