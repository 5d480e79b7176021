/**
 * Escaping for everything user-provided (model and column names, category values, params, URIs,
 * reasons) before it enters the report's HTML or inline SVG. The same escaping is safe in element
 * text and in double-quoted attributes of both HTML and SVG: with `<` and `>` escaped no tag, comment
 * or CDATA section (which the HTML parser honours inside <svg>) can start or end, and with quotes
 * escaped no attribute can be left.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// C0/C1 controls (other than tab, newline, carriage return), lone surrogates and U+FFFE/U+FFFF
// are not allowed in HTML or XML text; each becomes U+FFFD so the document stays well-formed.
const FORBIDDEN_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visibleText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(FORBIDDEN_CHARACTERS, '\uFFFD');
}

/** Escapes any value for HTML/SVG element text or a double-quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return visibleText(value).replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

/**
 * Shortens a label to at most `maxLength` characters (code points, so emoji stay whole), ending in
 * an ellipsis; charts call it before escaping, so an entity is never cut in half.
 */
export function truncateLabel(value: string, maxLength: number): string {
  const characters = Array.from(value);
  if (characters.length <= maxLength) return value;
  return `${characters.slice(0, Math.max(1, maxLength - 1)).join('')}…`;
}
