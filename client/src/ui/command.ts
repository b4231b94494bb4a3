/** What a command is, apart from the table that lists them (commands/index.ts), so command files need not import it. */
import type { CommandId } from '../commands/table';
import type { ExtensionContextHolder } from '../context';

export interface CommandSpec {
  readonly id: CommandId;
  /** From the table (commands/table.ts): the command families give only the id and the handler. */
  readonly needsTrust?: boolean;
  readonly run: (ctx: ExtensionContextHolder, ...args: unknown[]) => unknown;
}
