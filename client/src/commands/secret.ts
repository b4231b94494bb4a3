import type { CommandSpec } from './index';

export const secretCommands: CommandSpec[] = [];
