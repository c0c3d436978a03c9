import type { Command } from 'commander';
import { register as registerCheck } from './check.js';

/** Each command module exports a register(program) function; add it here. */
export const commands: Array<(program: Command) => void> = [registerCheck];
