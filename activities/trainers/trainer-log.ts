const DEFAULT_LIMIT = 4 * 1024 * 1024;

/**
 * A command trainer's log (its stdout lines that are not reports, and its stderr), bounded: the
 * first `limit` bytes and the last `limit` bytes are kept, what lies between is counted. Memory
 * stays at twice the limit however much the trainer prints.
 */
export class TrainerLog {
  private readonly head: string[] = [];
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private omittedBytes = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  write(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    if (this.headBytes + bytes <= this.limit && this.tail.length === 0) {
      this.head.push(line);
      this.headBytes += bytes;
      return;
    }
    this.tail.push(line);
    this.tailBytes += bytes;
    while (this.tailBytes > this.limit && this.tail.length > 1) {
      const dropped = this.tail.shift()!;
      const droppedBytes = Buffer.byteLength(dropped) + 1;
      this.tailBytes -= droppedBytes;
      this.omittedBytes += droppedBytes;
    }
  }

  /** The last `count` lines, for an error message. */
  lastLines(count: number): string[] {
    return [...this.head, ...this.tail].slice(-count);
  }

  text(): string {
    const omitted = this.omittedBytes > 0 ? [`[… ${this.omittedBytes} bytes of log left out …]`] : [];
    return [...this.head, ...omitted, ...this.tail].map((line) => `${line}\n`).join('');
  }
}
