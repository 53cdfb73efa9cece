// A small dependency-free SVG writer for the charts in BENCHMARKS.md: horizontal bars with a
// label and a value each, an optional target line, grouped bars, and <title>/<desc> for screen
// readers.

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const COLORS = ['#2563eb', '#9ca3af', '#16a34a', '#d97706', '#7c3aed', '#db2777', '#0891b2'];

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (m * exp >= value) return m * exp;
  }
  return 10 * exp;
}

function textWidth(text, size = 12) {
  return String(text).length * size * 0.58;
}

/**
 * A horizontal bar chart.
 *
 * @param options.title - Chart title (also the SVG `<title>`).
 * @param options.desc - Longer text alternative (`<desc>`); defaults to the bars as text.
 * @param options.unit - Axis unit shown after the axis maximum and in the desc.
 * @param options.bars - `{ label, value, text?, highlight?, group? }`; `text` is the value label
 *   (defaults to `value`), `highlight` draws the bar in the accent colour, `group` picks a colour
 *   by series (see `legend`).
 * @param options.target - Optional `{ value, label }` (or an array of them): dashed vertical lines.
 * @param options.legend - Optional series names, in the order of the colours used by `group`.
 * @param options.log - Logarithmic axis (for values that span orders of magnitude).
 * @returns The SVG document as a string.
 */
export function barChart({ title, desc, unit = '', bars, target, legend, log = false }) {
  const targets = (Array.isArray(target) ? target : target ? [target] : []).filter((t) =>
    Number.isFinite(t.value),
  );
  const values = bars.map((b) => b.value).filter((v) => Number.isFinite(v) && v > 0);
  const rawMax = Math.max(...values, ...targets.map((t) => t.value), 0);
  const minPos = Math.min(...values, ...targets.map((t) => t.value));
  const labelW = Math.min(360, Math.max(80, ...bars.map((b) => textWidth(b.label))) + 12);
  const plotW = 420;
  const valueW = Math.max(60, ...bars.map((b) => textWidth(b.text ?? b.value))) + 10;
  const barH = 18;
  const gap = 6;
  const top = 34 + (legend ? 18 : 0);
  const width = Math.ceil(labelW + plotW + valueW + 10);
  const height = Math.ceil(
    top + bars.length * (barH + gap) + 18 + 14 * Math.max(1, targets.length),
  );
  let scale;
  let axisMax;
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(Number.isFinite(minPos) && minPos > 0 ? minPos : 1));
    axisMax = 10 ** Math.ceil(Math.log10(rawMax || 1));
    if (axisMax <= lo) axisMax = lo * 10;
    scale = (v) =>
      v > 0
        ? Math.max(1, ((Math.log10(v) - Math.log10(lo)) / Math.log10(axisMax / lo)) * plotW)
        : 0;
  } else {
    axisMax = niceMax(rawMax);
    scale = (v) => (Number.isFinite(v) && v > 0 ? (v / axisMax) * plotW : 0);
  }
  const description =
    desc ??
    `${title}. ${bars.map((b) => `${b.label}: ${b.text ?? b.value}`).join('; ')}${
      targets.length ? `. Target: ${targets.map((t) => t.label).join('; ')}` : ''
    }.`;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t d">`,
    `<title id="t">${escapeXml(title)}</title>`,
    `<desc id="d">${escapeXml(description)}</desc>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" ${FONT} font-size="14" font-weight="600" fill="#111827">${escapeXml(title)}</text>`,
  );
  if (legend) {
    let x = labelW;
    legend.forEach((name, i) => {
      out.push(
        `<rect x="${x}" y="30" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
        `<text x="${x + 14}" y="39" ${FONT} font-size="11" fill="#374151">${escapeXml(name)}</text>`,
      );
      x += textWidth(name, 11) + 30;
    });
  }
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const w = scale(b.value);
    const color =
      b.group !== undefined ? COLORS[b.group % COLORS.length] : b.highlight ? COLORS[0] : COLORS[1];
    out.push(
      `<text x="${labelW - 6}" y="${y + barH - 5}" ${FONT} font-size="12" text-anchor="end" fill="#111827">${escapeXml(b.label)}</text>`,
      `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"/>`,
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 5}" ${FONT} font-size="12" fill="#111827">${escapeXml(b.text ?? b.value)}</text>`,
    );
  });
  const axisY = top + bars.length * (barH + gap);
  out.push(
    `<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${axisY}" stroke="#6b7280"/>`,
    `<text x="${labelW}" y="${axisY + 14}" ${FONT} font-size="10" fill="#6b7280">${log ? '' : '0'}</text>`,
    `<text x="${labelW + plotW}" y="${axisY + 14}" ${FONT} font-size="10" text-anchor="end" fill="#6b7280">${escapeXml(
      `${formatAxis(axisMax)}${unit ? ` ${unit}` : ''}${log ? ' (log scale)' : ''}`,
    )}</text>`,
  );
  targets.forEach((t, i) => {
    const x = labelW + scale(t.value);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${axisY}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      `<text x="${x.toFixed(1)}" y="${axisY + 26 + 14 * i}" ${FONT} font-size="11" text-anchor="${x > labelW + plotW / 2 ? 'end' : 'start'}" fill="#dc2626">${escapeXml(t.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function formatAxis(v) {
  if (v >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return String(Number(v.toPrecision(3)));
}
