import type { CommandSpec } from './index';

export const restoreCommands: CommandSpec[] = [];
