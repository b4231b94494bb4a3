import type { CommandSpec } from './index';

export const applyCommands: CommandSpec[] = [];
