/** Numbers as workflow messages show them (gates, canary verdicts, monitor reasons): rounded, `n/a` when unknown. */
export function roundTo(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function shownNumber(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? 'n/a' : String(roundTo(value, digits));
}
