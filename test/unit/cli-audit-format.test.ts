import { describe, expect, it } from 'vitest';
import { formatChange, truncate } from '../../cli/formatting.js';

describe('audit changes for people', () => {
  it('names only the fields that changed', () => {
    expect(
      formatChange({ champion: 1, challenger: null, share: 0 }, { champion: 1, challenger: 2, share: 0.1 }),
    ).toBe('challenger - -> 2, share 0 -> 0.1');
  });

  it('shows a document that appears or goes whole, lists as commas and nulls left out', () => {
    expect(formatChange(null, { name: 'ci', scopes: ['predict', 'feedback'], revokedAt: null })).toBe(
      '- -> name=ci scopes=predict,feedback',
    );
    expect(formatChange({ cron: '0 3 * * *', paused: true }, null)).toBe('cron=0 3 * * * paused=true -> -');
  });

  it('says so when nothing changed', () => {
    expect(formatChange({ champion: 2 }, { champion: 2 })).toBe('(no change)');
  });

  it('cuts long text and marks the cut', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
