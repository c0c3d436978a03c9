import type { Command } from 'commander';
import { register as registerCheck } from './check.js';
import { registerDistros } from './distros.js';
import { registerInit } from './init.js';
import { registerRender } from './render.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';
import { registerBundle } from './bundle.js';
import { registerPackage } from './package.js';
import { registerInstall } from './install.js';
import { registerCompletion } from './completion.js';

/** Each command module exports a register(program) function; add it here. */
export const commands: Array<(program: Command) => void> = [registerValidate, registerRender, registerDistros, registerSchema, registerInit, registerCheck, registerBundle, registerPackage, registerInstall, registerCompletion];
