import { describe, expect, it } from 'vitest';
import { coordinate, domainOf, linearScale, tickFormatter, ticks } from '../../../reports/svg/scale.js';

describe('chart scales', () => {
  it('places round ticks over a domain without floating-point drift', () => {
    expect(ticks([0, 1])).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks([0, 0.3])).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(ticks([-3, 7])).toEqual([-2, 0, 2, 4, 6]);
    expect(ticks([1, 40])).toEqual([10, 20, 30, 40]);
    expect(ticks([5, 5])).toEqual([5]);
  });

  it('builds a domain from finite values only, rounded out to ticks', () => {
    expect(domainOf([0.12, 0.93])).toEqual([0, 1]);
    expect(domainOf([NaN, Infinity, null, 'text', undefined, 2, 3])).toEqual([2, 3]);
    expect(domainOf([-0.25, 1], { includeZero: true })).toEqual([-0.4, 1]);
    expect(domainOf([3, 8], { includeZero: true })).toEqual([0, 8]);
  });

  it('never lets a domain collapse to a point', () => {
    expect(domainOf([])).toEqual([0, 1]);
    expect(domainOf([NaN, null])).toEqual([0, 1]);
    expect(domainOf([], { fallback: [0, 10] })).toEqual([0, 10]);
    expect(domainOf([0, 0])).toEqual([-1, 1]);
    expect(domainOf([0, 0], { includeZero: true })).toEqual([0, 1]);
    expect(domainOf([0.3])).toEqual([0.27, 0.33]);
    expect(domainOf([-50, -50])).toEqual([-56, -44]);
  });

  it('maps values linearly and stays finite on an empty span', () => {
    const scale = linearScale([0, 10], [100, 300]);
    expect(scale.at(0)).toBe(100);
    expect(scale.at(2.5)).toBe(150);
    expect(linearScale([3, 3], [40, 80]).at(3)).toBe(40);
  });

  it('writes coordinates with at most two decimals and never NaN', () => {
    expect(coordinate(12.3456)).toBe('12.35');
    expect(coordinate(-0.001)).toBe('0');
    expect(coordinate(NaN)).toBe('0');
    expect(coordinate(Infinity)).toBe('0');
  });

  it('labels ticks with as many decimals as their step needs', () => {
    expect(ticks([0, 1]).map(tickFormatter(ticks([0, 1])))).toEqual([
      '0.0',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
    ]);
    expect(ticks([0, 0.3]).map(tickFormatter(ticks([0, 0.3])))[3]).toBe('0.15');
    expect(tickFormatter([0, 10])(20)).toBe('20');
    expect(tickFormatter([0, 2e6])(2e6)).toBe('2.0e+6');
  });
});
