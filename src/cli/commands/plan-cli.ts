/** What every command that renders shares: --distro/--backend to a plan, notes, modes. Loaded lazily. */
import { distroNames, getDistro, UnknownDistroError } from '../../distros/registry.js';
import type { Model } from '../../model/model.js';
import type { Plan } from '../../plan/plan.js';
import { BackendChoiceError, renderPlan } from '../../plan/render.js';
import { UserError } from '../../base/user-error.js';

/** Resolves --distro/--backend into a plan, mapping choice errors to usage errors (exit 2). */
export function planForCli(model: Model, distro: string | undefined, backend?: string): Plan {
  if (!distro) throw new UserError(`mpgen: --distro is required (one of: ${distroNames().join(', ')})`, 2);
  try {
    return renderPlan(model, getDistro(distro), backend);
  } catch (e) {
    if (e instanceof UnknownDistroError || e instanceof BackendChoiceError) throw new UserError(`mpgen: ${e.message}`, 2);
    throw e;
  }
}

export const modeString = (mode: number): string => `0${mode.toString(8)}`;

export function printNotes(plan: Plan): void {
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
}
