import type { CommandSpec } from './index';

export const storageCommands: CommandSpec[] = [];
