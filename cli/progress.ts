// A one-line progress bar on stderr while the functions of a large module
// are generated: drawn only on a terminal, only once a compile has run for
// a moment (small modules never show it), redrawn at most ten times a
// second, and erased when done, so that what stays on the terminal is what
// the command printed.

const WIDTH = 30;
const FIRST_DRAW_MS = 300;
const REDRAW_MS = 100;

export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly label: string) {}

  update(done: number, total: number): void {
    const now = performance.now();
    if (now - this.started < FIRST_DRAW_MS || now - this.lastDraw < REDRAW_MS || total === 0) return;
    this.lastDraw = now;
    const filled = Math.round((done / total) * WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
    this.stream.write(`\r\x1b[2Kwasm2es: ${this.label} [${bar}] ${done}/${total} functions`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
