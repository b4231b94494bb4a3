import type { CommandSpec } from './index';

export const backupCommands: CommandSpec[] = [];
