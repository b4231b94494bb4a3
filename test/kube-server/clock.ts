// The server's clock. With a time scale above 1, simulated time runs faster than real time (for
// scheduled backups); every timestamp the server writes uses this clock so objects stay consistent.
export class Clock {
  private readonly realStart = Date.now();
  private readonly simStart: number;

  constructor(readonly timeScale = 1, start?: Date) {
    this.simStart = start ? start.getTime() : this.realStart;
  }

  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.timeScale;
  }

  /** RFC 3339 with seconds, as metadata timestamps are written. */
  timestamp(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** RFC 3339 with microseconds, as wal-g writes backup times. */
  microTimestamp(ms = this.now()): string {
    const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
    return new Date(ms).toISOString().replace(/Z$/, `${micros}Z`);
  }

  /** Real milliseconds until a simulated instant. */
  realDelayUntil(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.timeScale);
  }
}
