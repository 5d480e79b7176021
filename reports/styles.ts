/** The report's only stylesheet, inlined: system fonts, no external resources, print-friendly. */

export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1b1f24;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
header, section { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
h1 { margin: 0 0 12px; font-size: 24px; overflow-wrap: anywhere; }
h2 { margin: 0 0 12px; font-size: 19px; }
h3 { margin: 16px 0 8px; font-size: 15px; }
.model-version { color: #57606a; font-weight: 400; }
nav { margin-bottom: 16px; font-size: 13px; }
nav a { margin-right: 14px; color: #0b5cad; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f3f5; padding: 1px 4px; border-radius: 3px; }
code.wrap { overflow-wrap: anywhere; word-break: break-all; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 5px 10px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.row-fail td { background: #fff1f0; }
tr.row-best td { background: #eef8f0; }
tr.row-total td { border-top: 2px solid #c9ced4; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge-pass { background: #dff3e4; color: #116329; }
.badge-fail { background: #ffe1de; color: #a40e26; }
.badge-neutral { background: #eaeef2; color: #424a53; }
.badge-champion { background: #ddeeff; color: #0a4a8c; }
.rejection { border-left: 4px solid #cf222e; background: #fff6f5; padding: 4px 12px; margin-top: 12px; }
.rejection h3 { margin-top: 6px; }
.note { color: #57606a; font-size: 12.5px; }
.summary { font-weight: 600; }
.chart-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure.chart { margin: 8px 0; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.fairness-block { border-top: 1px solid #eceff2; padding-top: 8px; margin-top: 8px; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; fill: #1b1f24; }
svg .chart-background { fill: #ffffff; }
svg .chart-title { font-size: 14px; font-weight: 600; }
svg .axis-label { font-size: 12px; fill: #333333; }
svg .tick-label, svg .legend-label, svg .bar-value, svg .chart-note { font-size: 11px; fill: #424a53; }
svg .bar-missing { font-size: 10px; fill: #8c959f; }
svg .chart-empty { font-size: 13px; fill: #57606a; }
svg .cell-value { font-weight: 600; }
svg .cell-value.on-dark { fill: #ffffff; }
footer { color: #57606a; font-size: 12px; text-align: center; padding: 8px 0 24px; }
@media print { body { background: #fff; } header, section { break-inside: avoid; border: none; } nav { display: none; } }
`;
