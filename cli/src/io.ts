/**
 * What every subcommand of the command line gets and returns. Kept apart from main.ts so that a subcommand
 * never imports the dispatcher that lists it.
 */

/** Where a subcommand writes and where it finds what the package ships; tests pass their own. */
export interface CliIo {
  /** Paths in arguments and in the output are relative to this folder. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The bundled CRD schemas (`schemas/` of the package). */
  readonly schemasDir: string;
  /** The language server's schema worker script beside the bundle, when there is one. */
  readonly workerFile?: string;
}

export interface Subcommand {
  /** One line for `stackgres-backups --help`. */
  readonly summary: string;
  /** Returns the exit status (EXIT). */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit statuses shared by the subcommands: CI reads them. */
export const EXIT = {
  ok: 0,
  /** The check found what must be fixed. */
  findings: 1,
  /** Bad arguments, or something named could not be read: the run is not a verdict. */
  usage: 2,
} as const;

/** A mistake in the arguments: printed with a pointer to the subcommand's --help, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Text from a manifest or a path, made safe for a terminal: control characters (an escape sequence can
 * recolour or rewrite a CI log) are shown as \uXXXX.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
