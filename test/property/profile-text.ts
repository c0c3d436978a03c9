/** Generated profiles as the YAML text a user would write, with the syntax mutations applied to the text. */
import { stringify } from 'yaml';
import type { Mutated, Obj } from './arbitraries.js';

export const profileText = (p: Obj): string => stringify(p, { lineWidth: 0 });

export function mutatedText(m: Mutated): string {
  const text = profileText(m.profile ?? {});
  if (m.kind === 'yaml-duplicate-key') return `${text}${m.text}`;
  if (m.kind === 'yaml-tab') {
    // indent the first indented line with a tab instead of its spaces
    const lines = text.split('\n');
    const k = lines.findIndex((l) => /^ +\S/.test(l));
    lines[k] = lines[k]!.replace(/^ +/, '\t');
    return lines.join('\n');
  }
  return text;
}

/** fast-check's fixed seed for CI: the same profiles every run; override with MPGEN_PROPERTY_SEED. */
export const SEED = Number(process.env.MPGEN_PROPERTY_SEED ?? 20240601);
