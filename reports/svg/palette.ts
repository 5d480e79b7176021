/** Colours of the charts: the Okabe-Ito palette, readable with every common colour-vision deficiency. */

const SERIES_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

/** Colour of the n-th series; cycles after eight. */
export function seriesColour(index: number): string {
  return SERIES_COLOURS[((index % SERIES_COLOURS.length) + SERIES_COLOURS.length) % SERIES_COLOURS.length];
}

/** Dash pattern per full cycle of colours, so a ninth series differs from the first. */
export function seriesDash(index: number): string | null {
  const patterns = [null, '6 3', '2 3', '8 3 2 3'];
  return patterns[Math.floor(index / SERIES_COLOURS.length) % patterns.length];
}

export const REFERENCE_COLOUR = '#888888';
export const AXIS_COLOUR = '#333333';
export const GRID_COLOUR = '#e5e5e5';

/** White to dark blue, for a heatmap intensity in [0, 1]. */
export function heatColour(intensity: number): string {
  const clamped = Number.isFinite(intensity) ? Math.min(1, Math.max(0, intensity)) : 0;
  const channel = (from: number, to: number) => Math.round(from + (to - from) * clamped);
  const hex = (value: number) => value.toString(16).padStart(2, '0');
  return `#${hex(channel(255, 8))}${hex(channel(255, 48))}${hex(channel(255, 107))}`;
}
