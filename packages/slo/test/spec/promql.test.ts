import { describe, expect, it } from 'vitest';
import { checkPromql, hasWindowPlaceholder, isPlainVectorSelector } from '../../src/spec/promql.js';

describe('checkPromql', () => {
  it('accepts templates once {{.window}} is replaced', () => {
    expect(checkPromql('sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))')).toBeUndefined();
    expect(checkPromql('sum(rate(x[{{ .window }}])) / sum(rate(y[{{.window}}]))')).toBeUndefined();
    expect(checkPromql('1 - avg_over_time(up[{{.window}}:1m])')).toBeUndefined();
  });

  it('gives the offset of the error in the template as written', () => {
    const template = 'sum(rate(x[{{.window}}])) bogus';
    const error = checkPromql(template);
    expect(error?.offset).toBe(template.indexOf('bogus'));
    expect(error?.message).toContain('bogus');
  });

  it('reports a query that ends too early at its end', () => {
    const template = 'sum(rate(x[{{.window}}])';
    expect(checkPromql(template)).toEqual({
      offset: template.length,
      message: expect.stringContaining('ends too early'),
    });
  });

  it('rejects other template actions and empty queries', () => {
    expect(checkPromql('rate(x[{{.range}}])')?.message).toContain('{{.range}}');
    expect(checkPromql('   ')?.message).toBe('the query is empty');
  });
});

describe('hasWindowPlaceholder', () => {
  it('matches Sloth’s spacing rules', () => {
    expect(hasWindowPlaceholder('x[{{.window}}]')).toBe(true);
    expect(hasWindowPlaceholder('x[{{ .window }}]')).toBe(true);
    expect(hasWindowPlaceholder('x[5m]')).toBe(false);
    expect(hasWindowPlaceholder('x[{{window}}]')).toBe(false);
  });
});

describe('isPlainVectorSelector', () => {
  it('is true only for a bare selector', () => {
    expect(isPlainVectorSelector('http_requests_total{code=~"5.."}')).toBe(true);
    expect(isPlainVectorSelector(' up ')).toBe(true);
    expect(isPlainVectorSelector('rate(up[5m])')).toBe(false);
    expect(isPlainVectorSelector('up{')).toBe(false);
    expect(isPlainVectorSelector('a / b')).toBe(false);
  });
});
