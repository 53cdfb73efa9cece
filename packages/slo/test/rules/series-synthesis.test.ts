import { describe, expect, it } from 'vitest';
import { queryShape } from '../../src/rules/query-shape.js';
import { sampleRegex } from '../../src/rules/regex-sample.js';
import { matches, selects, synthesizePair } from '../../src/rules/series-synthesis.js';

describe('sampleRegex', () => {
  it.each([
    ['(5..|429)', /^(?:(5..|429))$/],
    ['5[0-9]{2}', /^(?:5[0-9]{2})$/],
    ['fail.*|timeout', /^(?:fail.*|timeout)$/],
    ['[^2].+', /^(?:[^2].+)$/],
    ['GET|POST', /^(?:GET|POST)$/],
  ])('gives strings that %s matches whole', (source, anchored) => {
    const samples = sampleRegex(source);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(sample).toMatch(anchored);
  });

  it('gives nothing for a pattern it cannot read', () => {
    expect(sampleRegex('(unclosed')).toEqual([]);
  });
});

describe('matches', () => {
  it('treats a missing label as the empty string, as Prometheus does', () => {
    expect(matches({ name: 'code', op: '!=', value: '500' }, '')).toBe(true);
    expect(matches({ name: 'code', op: '=~', value: '5..' }, '')).toBe(false);
    expect(matches({ name: 'code', op: '=~', value: '5..' }, '5000')).toBe(false);
    expect(matches({ name: 'code', op: '!~', value: '2..' }, '500')).toBe(true);
  });
});

describe('queryShape', () => {
  it('knows which results carry no labels', () => {
    expect(queryShape('sum(rate(a[5m]))')?.labelless).toBe(true);
    expect(queryShape('sum(rate(a[5m])) - sum(rate(b[5m]))')?.labelless).toBe(true);
    expect(queryShape('sum by (code) (rate(a[5m]))')?.labelless).toBe(false);
    expect(queryShape('rate(a[5m])')?.labelless).toBe(false);
    expect(queryShape('sum(rate(a[5m]')).toBeUndefined();
  });

  it('lists selectors with matchers and the range function', () => {
    expect(
      queryShape('sum(increase(jobs_total{queue="q",result!~"fail.*"}[1h]))')?.selectors,
    ).toEqual([
      {
        matchers: [
          { name: '__name__', op: '=', value: 'jobs_total' },
          { name: 'queue', op: '=', value: 'q' },
          { name: 'result', op: '!~', value: 'fail.*' },
        ],
        rangeFunction: 'increase',
      },
    ]);
  });
});

describe('synthesizePair', () => {
  const selector = (query: string) => {
    const found = queryShape(query)?.selectors[0];
    if (!found) throw new Error(query);
    return found;
  };

  it('finds a series both queries count and one only the total counts', () => {
    const errors = selector('rate(http_requests_total{job="api",code=~"(5..|429)"}[5m])');
    const total = selector('rate(http_requests_total{job="api",code!="404"}[5m])');
    const pair = synthesizePair(errors, total);
    expect(pair).toBeDefined();
    if (!pair) return;
    expect(selects(errors, pair.marked) && selects(total, pair.marked)).toBe(true);
    expect(pair.markedInTotal).toBe(true);
    expect(selects(total, pair.rest)).toBe(true);
    expect(selects(errors, pair.rest)).toBe(false);
  });

  it('handles errors counted in a metric of their own', () => {
    const pair = synthesizePair(
      selector('rate(errors_total{job="api"}[5m])'),
      selector('rate(requests_total{job="api"}[5m])'),
    );
    expect(pair?.markedInTotal).toBe(false);
    expect(pair?.rest.__name__).toBe('requests_total');
  });

  it('gives up when no series can be counted by the total only', () => {
    expect(
      synthesizePair(selector('rate(a{x=~".*"}[5m])'), selector('rate(a[5m])')),
    ).toBeUndefined();
  });
});
