/** The longest line kept; anything longer is line noise, dropped rather than grown without bound. */
const MAX_LINE = 1024;

/**
 * Splits what a modem says into lines (V.250 answers are framed `\r\n…\r\n`; a bare `\r` or `\n`
 * ends a line too, empty lines are skipped). AT+CMGS's `> ` prompt has no line ending: it is taken
 * as a prompt only while one is awaited (`promptWanted`), as bytes that make up just `>` and
 * optional spaces since the last line ended.
 */
export class AtReader {
  private buf = '';
  promptWanted = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onPrompt: () => void,
  ) {}

  push(chunk: Buffer): void {
    // latin1: one byte, one character, so a broken UTF-8 sequence in noise cannot swallow a CR.
    this.buf += chunk.toString('latin1');
    for (;;) {
      const end = this.buf.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buf.slice(0, end).trim();
      this.buf = this.buf.slice(end + 1);
      if (line !== '') this.onLine(line);
    }
    if (this.promptWanted && /^\s*>\s*$/.test(this.buf) && this.buf.includes('>')) {
      this.buf = '';
      this.promptWanted = false;
      this.onPrompt();
    }
    if (this.buf.length > MAX_LINE) this.buf = '';
  }

  /** Forgets a half-read line (the port was opened again). */
  reset(): void {
    this.buf = '';
    this.promptWanted = false;
  }
}
