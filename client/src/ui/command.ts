/** What a command is, apart from the table that lists them (commands/index.ts), so command files need not import it. */
import type { ExtensionContextHolder } from '../context';

export interface CommandSpec {
  readonly id: string;
  /** Reaches a cluster or a bucket, or runs credential plugins: only in a trusted workspace. */
  readonly needsTrust?: boolean;
  readonly run: (ctx: ExtensionContextHolder, ...args: unknown[]) => unknown;
}
