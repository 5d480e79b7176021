/** Small HTML builders the sections share. Cell contents are HTML the caller has already escaped. */

import { escapeHtml } from './escape.js';

export interface Column {
  readonly title: string;
  /** Right-align numbers so their digits line up. */
  readonly numeric?: boolean;
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  rowClasses?: readonly string[],
): string {
  const head = columns
    .map(
      (column) => `<th scope="col"${column.numeric ? ' class="num"' : ''}>${escapeHtml(column.title)}</th>`,
    )
    .join('');
  const body = rows
    .map((cells, rowIndex) => {
      const rowClass = rowClasses?.[rowIndex] ? ` class="${rowClasses[rowIndex]}"` : '';
      const tds = cells
        .map((cell, index) => `<td${columns[index]?.numeric ? ' class="num"' : ''}>${cell}</td>`)
        .join('');
      return `<tr${rowClass}>${tds}</tr>`;
    })
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A titled section; `id` is a fixed anchor name, never user data. */
export function renderSection(id: string, title: string, content: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${content}</section>`;
}

export function paragraph(text: string, className = 'note'): string {
  return `<p class="${className}">${escapeHtml(text)}</p>`;
}

/** A pass/fail (or other state) badge; `kind` picks its colour. */
export function badge(text: string, kind: 'pass' | 'fail' | 'neutral' | 'champion'): string {
  return `<span class="badge badge-${kind}">${escapeHtml(text)}</span>`;
}

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * A whole report: one self-contained document (inline CSS and SVG; no scripts, fonts, images or
 * external references) whose Content Security Policy forbids scripts and every external load, a
 * second line of defence behind the escaping of every stored string. `title` and `footer` are
 * plain text; `navigation` links fixed section ids; `body` is HTML already escaped.
 */
export function renderReportDocument(parts: {
  readonly title: string;
  readonly css: string;
  readonly navigation: readonly (readonly [string, string])[];
  readonly body: string;
  readonly footer: string;
}): string {
  const navigation = parts.navigation
    .map(([id, text]) => `<a href="#${id}">${escapeHtml(text)}</a>`)
    .join('');
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(parts.title)}</title><style>${parts.css}</style></head>` +
    `<body><main><nav>${navigation}</nav>${parts.body}</main>` +
    `<footer>${escapeHtml(parts.footer)}</footer>` +
    '</body></html>\n'
  );
}
