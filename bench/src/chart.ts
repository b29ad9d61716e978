/**
 * A small SVG grouped bar chart, enough for the bench's two figures: bars per group and
 * series, an optional darker part of each bar (the writes within the requests), and min–max
 * whiskers. Plain strings, no dependencies.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  /** Colour of the bar's `part` (drawn from the bottom). */
  readonly partColor?: string;
}

export interface Bar {
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  /** A portion of the bar drawn darker, e.g. the writes among the requests. */
  readonly part?: number;
  /** Text above the bar; default the value. */
  readonly label?: string;
}

export interface Group {
  readonly label: string;
  /** One per series, in series order; undefined leaves a gap. */
  readonly bars: ReadonlyArray<Bar | undefined>;
}

export interface BarChart {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly groups: readonly Group[];
  /** Legend text for the darker part, when bars have one. */
  readonly partLegend?: string;
  readonly width?: number;
  readonly height?: number;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A bar with a value that is not a finite number (a failed measurement) is left out, as a gap. */
const drawable = (bar: Bar | undefined): bar is Bar => bar !== undefined && Number.isFinite(bar.value);
const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);

const round = (n: number): string => (Math.round(n * 10) / 10).toString();

/** A "nice" axis maximum and step: 1, 2 or 5 times a power of ten. */
const niceScale = (max: number): { top: number; step: number } => {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step };
};

const tick = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(3).replace(/\.?0+$/, ''));

/** The chart as an `<svg>` element (no XML prolog), sized by `width` and `height`. */
export const barChart = (chart: BarChart, offset = { x: 0, y: 0 }): string => {
  const width = chart.width ?? 900;
  const height = chart.height ?? 360;
  // Legend first: it wraps onto as many rows as it needs, and the plot starts below it.
  const legend = [...chart.series.map((s) => ({ name: s.name, color: s.color })), ...(chart.partLegend ? [{ name: chart.partLegend, color: '#333' }] : [])];
  const legendParts: string[] = [];
  let lx = 64;
  let ly = 32;
  for (const item of legend) {
    const itemW = 24 + item.name.length * 6.8;
    if (lx + itemW > width - 16 && lx > 64) {
      lx = 64;
      ly += 18;
    }
    legendParts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${escape(item.color)}"/>`);
    legendParts.push(`<text x="${lx + 16}" y="${ly + 10}">${escape(item.name)}</text>`);
    lx += itemW;
  }
  const margin = { top: ly + 30, right: 16, bottom: 40, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const highest = Math.max(0, ...chart.groups.flatMap((g) => g.bars.filter(drawable).map((b) => Math.max(b.value, finite(b.max) ? b.max : 0))));
  const { top, step } = niceScale(highest);
  const y = (v: number) => margin.top + plotH - (v / top) * plotH;
  const groupW = plotW / chart.groups.length;
  const barW = Math.min(36, (groupW * 0.8) / chart.series.length);
  const out: string[] = [];
  out.push(`<g transform="translate(${offset.x},${offset.y})" font-family="sans-serif" font-size="12">`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(chart.title)}</text>`);
  out.push(...legendParts);
  // Axis and grid.
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${round(y(v))}" y2="${round(y(v))}" stroke="#ddd"/>`);
    out.push(`<text x="${margin.left - 6}" y="${round(y(v) + 4)}" text-anchor="end">${tick(v)}</text>`);
  }
  out.push(
    `<text transform="translate(16,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.groups.forEach((group, g) => {
    const x0 = margin.left + g * groupW + (groupW - barW * chart.series.length) / 2;
    group.bars.forEach((bar, s) => {
      const series = chart.series[s];
      if (!drawable(bar) || series === undefined) return;
      const x = x0 + s * barW;
      const h = Math.max(0, y(0) - y(bar.value));
      out.push(`<rect x="${round(x + 1)}" y="${round(y(bar.value))}" width="${round(barW - 2)}" height="${round(h)}" fill="${escape(series.color)}"><title>${escape(`${series.name}: ${bar.label ?? tick(bar.value)}`)}</title></rect>`);
      if (finite(bar.part) && bar.part > 0) {
        out.push(`<rect x="${round(x + 1)}" y="${round(y(bar.part))}" width="${round(barW - 2)}" height="${round(y(0) - y(bar.part))}" fill="${escape(series.partColor ?? '#333')}" fill-opacity="0.55"/>`);
      }
      const whisker = finite(bar.min) && finite(bar.max) && bar.max > bar.min;
      if (whisker) {
        const cx = round(x + barW / 2);
        out.push(`<line x1="${cx}" x2="${cx}" y1="${round(y(bar.max))}" y2="${round(y(bar.min))}" stroke="#000"/>`);
        out.push(`<line x1="${round(x + barW / 2 - 4)}" x2="${round(x + barW / 2 + 4)}" y1="${round(y(bar.max))}" y2="${round(y(bar.max))}" stroke="#000"/>`);
        out.push(`<line x1="${round(x + barW / 2 - 4)}" x2="${round(x + barW / 2 + 4)}" y1="${round(y(bar.min))}" y2="${round(y(bar.min))}" stroke="#000"/>`);
      }
      const labelY = Math.min(y(bar.value), finite(bar.max) ? y(bar.max) : Infinity) - 4;
      out.push(`<text x="${round(x + barW / 2)}" y="${round(labelY)}" text-anchor="middle" font-size="10">${escape(bar.label ?? tick(bar.value))}</text>`);
    });
    out.push(`<text x="${round(margin.left + g * groupW + groupW / 2)}" y="${margin.top + plotH + 18}" text-anchor="middle">${escape(group.label)}</text>`);
  });
  out.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}" stroke="#000"/>`);
  out.push('</g>');
  return out.join('\n');
};

/** Stacks charts vertically into one SVG document. */
export const svgDocument = (charts: readonly BarChart[]): string => {
  const width = Math.max(0, ...charts.map((c) => c.width ?? 900));
  let y = 0;
  const parts = charts.map((chart) => {
    const part = barChart(chart, { x: 0, y });
    y += chart.height ?? 360;
    return part;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">`,
    `<rect width="${width}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
};
