import fc from 'fast-check';
import { barChart, svgDocument, type BarChart } from '../src/chart';
import { badNumbers, descendants, parseXml, type Element } from './xml';

/** The value bars: the rects that carry a tooltip. */
const bars = (root: Element) =>
  descendants(root)
    .filter((e) => e.name === 'rect' && e.children.some((c) => c.name === 'title'))
    .map((e) => ({ y: Number(e.attributes.y), height: Number(e.attributes.height), title: e.children[0]!.text }));

const chart = (overrides: Partial<BarChart> = {}): BarChart => ({
  title: 'Requests',
  yLabel: 'requests',
  series: [
    { name: 'A', color: '#111' },
    { name: 'B', color: '#222' },
    { name: 'C', color: '#333' },
  ],
  groups: [{ label: 'one', bars: [{ value: 10 }, { value: 20 }, { value: 40 }] }],
  ...overrides,
});

const drawn = (c: BarChart): Element => parseXml(svgDocument([c]));

describe('svgDocument', () => {
  it('is one well-formed <svg> element holding a group per chart', () => {
    const svg = parseXml(svgDocument([chart(), chart({ title: 'Seconds', height: 300 })]));
    expect(svg.name).toBe('svg');
    expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attributes.height).toBe('660');
    expect(svg.attributes.width).toBe('900');
    expect(svg.children.filter((e) => e.name === 'g')).toHaveLength(2);
    expect(badNumbers(svg)).toEqual([]);
  });

  it('stays well-formed and finite with no charts at all', () => {
    const svg = parseXml(svgDocument([]));
    expect(badNumbers(svg)).toEqual([]);
  });
});

describe('barChart', () => {
  it('is well-formed on its own', () => {
    expect(parseXml(barChart(chart())).name).toBe('g');
  });

  it('draws bars in proportion to their values, from one baseline', () => {
    const [a, b, c] = bars(drawn(chart()));
    expect(b!.height / a!.height).toBeCloseTo(2, 1);
    expect(c!.height / a!.height).toBeCloseTo(4, 1);
    expect(a!.y + a!.height).toBeCloseTo(b!.y + b!.height, 0);
    expect(a!.y + a!.height).toBeCloseTo(c!.y + c!.height, 0);
  });

  it('keeps bars proportional across groups and for any values', () => {
    const value = fc.double({ min: 0.001, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 4 }), (pairs) => {
        const svg = drawn(chart({ series: chart().series.slice(0, 2), groups: pairs.map(([x, y], i) => ({ label: `g${i}`, bars: [{ value: x }, { value: y }] })) }));
        expect(badNumbers(svg)).toEqual([]);
        const values = pairs.flat();
        const heights = bars(svg).map((bar) => bar.height);
        expect(heights).toHaveLength(values.length);
        const tallest = Math.max(...heights);
        const largest = Math.max(...values);
        // Heights are rounded to a tenth of a pixel.
        heights.forEach((h, i) => expect(Math.abs(h - (tallest * values[i]!) / largest)).toBeLessThanOrEqual(0.15));
      }),
    );
  });

  it('draws the darker part of a bar in proportion too', () => {
    const svg = drawn(chart({ series: [{ name: 'A', color: '#111', partColor: '#000' }], groups: [{ label: 'one', bars: [{ value: 40, part: 10 }] }] }));
    const [bar] = bars(svg);
    const part = descendants(svg).find((e) => e.name === 'rect' && e.attributes.fill === '#000');
    expect(part).toBeDefined();
    expect(Number(part!.attributes.height) / bar!.height).toBeCloseTo(0.25, 2);
  });

  it('draws a whisker from min to max, and none when they are equal', () => {
    const svg = drawn(chart({ groups: [{ label: 'one', bars: [{ value: 20, min: 10, max: 40 }, { value: 20, min: 20, max: 20 }, undefined] }] }));
    const [bar] = bars(svg);
    const whiskers = descendants(svg).filter((e) => e.name === 'line' && e.attributes.x1 === e.attributes.x2);
    expect(whiskers).toHaveLength(1);
    const length = Math.abs(Number(whiskers[0]!.attributes.y2) - Number(whiskers[0]!.attributes.y1));
    expect(length / bar!.height).toBeCloseTo(1.5, 1);
  });

  it('escapes every text it is given', () => {
    const svg = drawn({
      title: 'A < B & "C"',
      yLabel: 'ms <p50>',
      series: [{ name: 'x&y', color: '#111' }],
      groups: [{ label: '<script>', bars: [{ value: 1, label: 'a<b' }] }],
      partLegend: 'R&D',
    });
    const texts = descendants(svg).map((e) => e.text);
    for (const text of ['A < B & "C"', 'ms <p50>', 'x&y', '<script>', 'a<b', 'R&D', 'x&y: a<b']) expect(texts).toContain(text);
  });

  it('shows a missing bar as a gap', () => {
    const svg = drawn(chart({ groups: [{ label: 'one', bars: [{ value: 10 }, undefined, { value: 30 }] }] }));
    expect(bars(svg).map((b) => b.title)).toEqual(['A: 10', 'C: 30']);
  });

  it('writes no NaN or Infinity for zero values, no groups, no series or NaN values', () => {
    const cases: BarChart[] = [
      chart({ groups: [{ label: 'zero', bars: [{ value: 0 }, { value: 0, min: 0, max: 0, part: 0 }] }] }),
      chart({ groups: [] }),
      chart({ series: [], groups: [] }),
      chart({ series: [], groups: [{ label: 'none', bars: [] }] }),
      chart({ groups: [{ label: 'nan', bars: [{ value: NaN }, { value: 5, min: NaN, max: NaN, part: NaN }, { value: Infinity }] }] }),
      chart({ groups: [{ label: 'only nan', bars: [{ value: NaN, min: NaN, max: NaN }] }] }),
    ];
    for (const c of cases) expect(badNumbers(drawn(c))).toEqual([]);
  });

  it('leaves a bar without a finite value out, and keeps the others to scale', () => {
    const svg = drawn(chart({ groups: [{ label: 'one', bars: [{ value: NaN }, { value: 10 }, { value: Infinity }] }, { label: 'two', bars: [{ value: 20 }] }] }));
    const drawnBars = bars(svg);
    expect(drawnBars.map((b) => b.title)).toEqual(['B: 10', 'A: 20']);
    expect(drawnBars[1]!.height / drawnBars[0]!.height).toBeCloseTo(2, 1);
  });
});
