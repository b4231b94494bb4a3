/**
 * A backup Job's log as the logs page keeps it: untrusted text from the cluster, so terminal escapes and
 * control characters are removed before anything shows it, and only the newest `maxBytes` are kept while
 * a long backup is followed. No vscode import, so unit tests hold it.
 */
import { stripVTControlCharacters } from 'node:util';

// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that can make a line read as another.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Text fit to show: escape sequences and control characters removed, `\r\n` and lone `\r` made newlines. */
export function cleanLogText(raw: string): string {
  return stripVTControlCharacters(raw).replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** The newest lines of a log, at most `maxBytes` (UTF-8) of them, cleaned as they arrive. */
export class LogBuffer {
  private lines: string[] = [];
  private bytes = 0;
  private partial = '';
  /** Bytes of older lines dropped to stay within the bound. */
  dropped = 0;

  constructor(private readonly maxBytes: number) {}

  /** Takes a chunk as it came off the wire; a line split across chunks waits for its end (escapes too). */
  append(chunk: string): void {
    const text = this.partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.partial = text;
      // A "line" that never ends must not grow without bound either.
      if (Buffer.byteLength(this.partial) > this.maxBytes) this.flush();
      return;
    }
    this.partial = text.slice(end + 1);
    for (const line of cleanLogText(text.slice(0, end)).split('\n')) this.push(line);
  }

  /** The rest of an unfinished last line, at the end of the stream. */
  flush(): void {
    if (this.partial === '') return;
    const rest = cleanLogText(this.partial);
    this.partial = '';
    for (const line of rest.split('\n')) this.push(line);
  }

  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }

  private push(line: string): void {
    let kept = line;
    let size = Buffer.byteLength(kept) + 1;
    if (size > this.maxBytes) {
      // One line longer than the whole bound keeps its end (where wal-g puts the error).
      kept = Buffer.from(kept).subarray(-(this.maxBytes - 1)).toString('utf8').replace(/^\uFFFD+/, '');
      this.dropped += size - Buffer.byteLength(kept) - 1;
      size = Buffer.byteLength(kept) + 1;
    }
    this.lines.push(kept);
    this.bytes += size;
    while (this.bytes > this.maxBytes && this.lines.length > 1) {
      const old = Buffer.byteLength(this.lines.shift() as string) + 1;
      this.bytes -= old;
      this.dropped += old;
    }
  }
}
