import { locate } from '@core/locate';
import { Manifest, parseManifest, splitDocuments } from '@core/manifest';
import { checkManifest, Finding } from '@core/rules';

/** Strips the common indentation so manifests can be written indented inside tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function manifest(text: string): Manifest {
  return parseManifest(splitDocuments(text)[0]);
}

export interface Located extends Finding {
  /** 0-based line of the underline's start. */
  readonly line: number;
  /** The underlined text. */
  readonly underlined: string;
}

export function findings(text: string): Located[] {
  const m = manifest(text);
  const lines = text.split('\n');
  return checkManifest(m).map((f) => {
    const { range } = locate(m, f.path, f.target ?? 'key');
    const underlined = range.start.line === range.end.line
      ? lines[range.start.line].slice(range.start.character, range.end.character)
      : lines[range.start.line].slice(range.start.character);
    return { ...f, line: range.start.line, underlined };
  });
}

export function codes(text: string): string[] {
  return findings(text).map((f) => f.code).sort();
}
