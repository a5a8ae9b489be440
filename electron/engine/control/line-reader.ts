// NDJSON framing: splits a byte stream into lines, never buffering more than `maxLine` bytes
// of an unfinished line (a client that never sends '\n' cannot make us hold more).

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private dead = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: string) => void,
    /** the line exceeded maxLine; nothing more is read after this */
    private readonly onOversize: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.dead) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) {
        const rest = chunk.length - start;
        if (this.pendingBytes + rest > this.maxLine) return this.oversize();
        if (rest > 0) {
          this.pending.push(chunk.subarray(start));
          this.pendingBytes += rest;
        }
        return;
      }
      const length = this.pendingBytes + newline - start;
      if (length > this.maxLine) return this.oversize();
      const line = this.pending.length
        ? Buffer.concat([...this.pending, chunk.subarray(start, newline)], length)
        : chunk.subarray(start, newline);
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim()) this.onLine(text);
    }
  }

  private oversize(): void {
    this.dead = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.onOversize();
  }
}
