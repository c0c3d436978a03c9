/**
 * The one Handlebars environment: strict (a missing variable is an error, not
 * an empty string) and noEscape (HTML escaping corrupts config files).
 * Templates only loop, test and format; arithmetic and naming live in the
 * backend modules.
 *
 * The bundled CLI carries every template precompiled (scripts/build.mjs), with
 * the same two options, and links only the Handlebars runtime: compiling
 * templates at each start was most of a cold render's time.
 */
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRECOMPILED } from './precompiled-templates.js';
import { templatesDir } from './resources.js';

/** The options every template is compiled with, here and in scripts/build.mjs. */
export const TEMPLATE_OPTIONS = { strict: true, noEscape: true } as const;

let hb: typeof Handlebars | undefined;

function env(): typeof Handlebars {
  if (hb) return hb;
  hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('join', (xs: unknown[], sep: unknown) => (Array.isArray(xs) ? xs.join(typeof sep === 'string' ? sep : ' ') : ''));
  return hb;
}

const cache = new Map<string, HandlebarsTemplateDelegate>();

function load(name: string): HandlebarsTemplateDelegate {
  const spec = PRECOMPILED?.[name];
  if (spec) return env().template(spec);
  if (PRECOMPILED) throw new Error(`mpgen: no template ${name} in this build`);
  return env().compile(readFileSync(join(templatesDir(), `${name}.hbs`), 'utf8'), TEMPLATE_OPTIONS);
}

/** Render templates/<name>.hbs (name like "ifcfg/ifcfg-uplink") with a view. */
export function renderTemplate(name: string, view: object): string {
  let t = cache.get(name);
  if (!t) {
    t = load(name);
    cache.set(name, t);
  }
  return t(view);
}
