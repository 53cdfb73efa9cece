import { describe, expect, it } from 'vitest';
import { formatDuration, humanDuration, parseDuration } from './duration.js';

describe('Prometheus durations', () => {
  it('parses the notation Prometheus accepts', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('30d')).toBe(2_592_000);
    expect(parseDuration('4w')).toBe(2_419_200);
    expect(parseDuration('1y')).toBe(31_536_000);
    expect(parseDuration('1500ms')).toBe(1.5);
  });

  it('refuses everything else', () => {
    for (const bad of ['', '5', 'm', '-5m', '1.5h', '30m1h', '0s', '5M', '1h 30m', '5mm']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it('formats like Prometheus (weeks and years only when exact)', () => {
    expect(formatDuration(2_592_000)).toBe('30d');
    expect(formatDuration(2_419_200)).toBe('4w');
    expect(formatDuration(604_800)).toBe('1w');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(259_200)).toBe('3d');
    expect(formatDuration(0)).toBe('0s');
    for (const text of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d', '4w', '90d']) {
      expect(formatDuration(parseDuration(text) ?? 0)).toBe(text);
    }
  });

  it('writes durations for people', () => {
    expect(humanDuration(2592)).toBe('43m 12s');
    expect(humanDuration(180_000)).toBe('2d 2h');
    expect(humanDuration(26)).toBe('26s');
    expect(humanDuration(0.25)).toBe('250ms');
  });
});
