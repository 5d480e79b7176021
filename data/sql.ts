/**
 * Quoting for SQL text we build. Column names come from user files and may hold spaces, quotes
 * and punctuation; paths and values are user-supplied too. Nothing reaches SQL unquoted.
 */

/** A DuckDB identifier: wrapped in double quotes, inner double quotes doubled. */
export function quoteIdentifier(name: string): string {
  assertNoNul(name, 'a column name');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal: wrapped in single quotes, inner single quotes doubled. */
export function quoteLiteral(value: string): string {
  assertNoNul(value, 'a value');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A finite number as SQL text (a DOUBLE literal), refusing anything that is not one. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  return `${value}::DOUBLE`;
}

function assertNoNul(text: string, what: string): void {
  // DuckDB's parser stops at NUL, which would cut a quoted string short.
  if (text.includes('\u0000'))
    throw new RangeError(`${what} contains a NUL character: ${JSON.stringify(text)}`);
}

/** DuckDB types whose values are numbers (compared, averaged and cast to DOUBLE as such). */
export function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)\b/.test(
    type,
  );
}

export function isTextType(type: string): boolean {
  return type === 'VARCHAR' || type.startsWith('ENUM(');
}

export function isTemporalType(type: string): boolean {
  return /^(DATE|TIME|TIMESTAMP)\b/.test(type);
}
