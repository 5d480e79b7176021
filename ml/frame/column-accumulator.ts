/**
 * Builds one frame column from values pushed one at a time, deciding numeric vs categorical as it
 * goes (see cell-values.ts for the rules). A single pass serves rows, column arrays and streamed
 * DuckDB chunks alike: no per-row objects, storage grows by doubling typed arrays.
 */
import { type Column, FrameError, MISSING_CODE } from './frame.js';
import { type CellKind, type CellReading, cellText, parseNumericText, readCell } from './cell-values.js';

export type ColumnTypeRequest = 'numeric' | 'categorical' | 'infer';

type Mode = 'empty' | 'numeric' | 'categorical';

export class ColumnAccumulator {
  private mode: Mode = 'empty';
  private length = 0;
  private numbers = new Float64Array(0);
  private codes = new Int32Array(0);
  private readonly dictionary: string[] = [];
  private readonly codeByText = new Map<string, number>();
  /** Which numeric kinds were seen, to name the column's sourceType and to stringify correctly. */
  private sawPlainNumber = false;
  private sawBoolean = false;
  private sawTimestamp = false;
  private missingCount = 0;
  private readonly reading: CellReading = { kind: 'missing', number: 0, text: '' };

  constructor(
    readonly name: string,
    private readonly request: ColumnTypeRequest = 'infer',
    expectedLength = 1024,
  ) {
    this.grow(Math.max(expectedLength, 16));
  }

  get rowCount(): number {
    return this.length;
  }

  push(value: unknown): void {
    const reading = this.reading;
    readCell(value, reading, this.name, this.length);
    if (reading.kind === 'string' && this.request === 'numeric') {
      const parsed = parseNumericText(reading.text, this.name, this.length);
      reading.kind = Number.isFinite(parsed) ? 'number' : 'missing';
      reading.number = parsed;
    }
    if (this.length === this.numbers.length && this.mode !== 'categorical') this.grow(this.length * 2);
    if (this.length === this.codes.length && this.mode !== 'numeric') this.grow(this.length * 2);
    if (reading.kind === 'missing') {
      this.pushMissing();
    } else if (reading.kind === 'string') {
      this.pushText(reading.text);
    } else {
      this.pushNumber(reading.kind, reading.number);
    }
    this.length += 1;
  }

  finish(): Column {
    if (this.mode === 'categorical') {
      return {
        kind: 'categorical',
        name: this.name,
        codes: this.codes.length === this.length ? this.codes : this.codes.slice(0, this.length),
        dictionary: this.dictionary,
      };
    }
    if (this.mode === 'empty' && this.request === 'categorical') {
      return {
        kind: 'categorical',
        name: this.name,
        codes: new Int32Array(this.length).fill(MISSING_CODE),
        dictionary: [],
      };
    }
    // An all-missing column becomes numeric: every value missing, imputed downstream.
    const values = this.numbers.length === this.length ? this.numbers : this.numbers.slice(0, this.length);
    if (this.mode === 'empty') values.fill(NaN);
    let missing: Uint8Array | null = null;
    if (this.missingCount > 0) {
      missing = new Uint8Array(this.length);
      for (let row = 0; row < this.length; row += 1) if (Number.isNaN(values[row])) missing[row] = 1;
    }
    const sourceType = this.numericSourceType();
    const column = { kind: 'numeric' as const, name: this.name, values, missing };
    return sourceType === undefined ? column : { ...column, sourceType };
  }

  private numericSourceType(): 'boolean' | 'timestamp' | undefined {
    if (this.sawPlainNumber) return undefined;
    if (this.sawBoolean && !this.sawTimestamp) return 'boolean';
    if (this.sawTimestamp && !this.sawBoolean) return 'timestamp';
    return undefined;
  }

  private pushMissing(): void {
    this.missingCount += 1;
    if (this.mode === 'numeric') this.numbers[this.length] = NaN;
    else if (this.mode === 'categorical') this.codes[this.length] = MISSING_CODE;
  }

  private pushNumber(kind: CellKind, value: number): void {
    if (this.mode === 'empty') {
      if (this.request === 'categorical') this.enterCategorical();
      else this.enterNumeric();
    }
    if (this.mode === 'categorical') {
      this.codes[this.length] = this.codeOf(cellText(kind, value));
      return;
    }
    if (kind === 'boolean') this.sawBoolean = true;
    else if (kind === 'timestamp') this.sawTimestamp = true;
    else this.sawPlainNumber = true;
    this.numbers[this.length] = value;
  }

  private pushText(text: string): void {
    if (this.mode !== 'categorical') this.enterCategorical();
    this.codes[this.length] = this.codeOf(text);
  }

  private codeOf(text: string): number {
    let code = this.codeByText.get(text);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(text);
      this.codeByText.set(text, code);
    }
    return code;
  }

  private enterNumeric(): void {
    // Rows before the first value were all missing.
    this.numbers.fill(NaN, 0, this.length);
    this.codes = new Int32Array(0);
    this.mode = 'numeric';
  }

  /** A string arrived: earlier numbers become their text, so a mixed column stays lossless. */
  private enterCategorical(): void {
    if (this.codes.length < this.numbers.length) this.codes = new Int32Array(this.numbers.length);
    const previousMode = this.mode;
    this.mode = 'categorical';
    const sourceType = this.numericSourceType();
    const kind: CellKind = sourceType ?? 'number';
    for (let row = 0; row < this.length; row += 1) {
      const value = this.numbers[row];
      this.codes[row] =
        previousMode !== 'numeric' || Number.isNaN(value) ? MISSING_CODE : this.codeOf(cellText(kind, value));
    }
    this.numbers = new Float64Array(0);
  }

  private grow(capacity: number): void {
    if (this.mode !== 'categorical') {
      const numbers = new Float64Array(capacity);
      numbers.set(this.numbers.subarray(0, this.length));
      this.numbers = numbers;
    }
    if (this.mode !== 'numeric') {
      const codes = new Int32Array(capacity);
      codes.set(this.codes.subarray(0, this.length));
      this.codes = codes;
    }
  }
}

/** Refuses duplicate column names: every later lookup is by name. */
export function assertUniqueNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new FrameError(`column ${JSON.stringify(name)} appears twice; rename one of them`);
    seen.add(name);
  }
}
