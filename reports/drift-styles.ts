/** What the drift report adds to the model report's stylesheet (reports/styles.ts). */

export const DRIFT_REPORT_CSS = `
/* Feature tables are wide: headers wrap, names keep a readable width, the table scrolls if need be. */
.table-scroll { overflow-x: auto; }
.table-scroll th.num { white-space: normal; overflow-wrap: normal; }
.threshold, .feature-kind { color: #57606a; font-size: 11px; }
.table-scroll td:first-child { min-width: 130px; }
.table-scroll td:last-child { min-width: 200px; }
.table-scroll td:nth-child(8) { white-space: nowrap; }
tr.row-current td { background: #fff8e1; }
tr.row-drift td:first-child { border-left: 3px solid #cf222e; }
ul.warnings { margin: 6px 0 0; padding-left: 20px; color: #7d4e00; }
.verdict { font-size: 15px; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 16px; }
.chart-grid figure.chart { margin: 4px 0; }
.feature-block { border-top: 1px solid #eceff2; padding-top: 8px; margin-top: 8px; }
.feature-block h3 { margin: 4px 0; }
`;
