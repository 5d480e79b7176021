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
