import type { Command } from 'commander';

/** Each command module exports a register(program) function; add it here. */
export const commands: Array<(program: Command) => void> = [];
