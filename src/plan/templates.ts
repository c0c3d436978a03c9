/**
 * The one Handlebars environment: strict (a missing variable is an error, not
 * an empty string) and noEscape (HTML escaping corrupts config files).
 * Templates only loop, test and format; arithmetic and naming live in the
 * backend modules.
 */
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from './resources.js';

const hb = Handlebars.create();
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
hb.registerHelper('join', (xs: unknown[], sep: unknown) => (Array.isArray(xs) ? xs.join(typeof sep === 'string' ? sep : ' ') : ''));

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Sources embedded by the bundled build (scripts/build.mjs); empty when running from src. */
declare const __MPGEN_TEMPLATES__: Record<string, string> | undefined;

function source(name: string): string {
  if (typeof __MPGEN_TEMPLATES__ !== 'undefined' && __MPGEN_TEMPLATES__[name] !== undefined) {
    return __MPGEN_TEMPLATES__[name]!;
  }
  return readFileSync(join(templatesDir(), `${name}.hbs`), 'utf8');
}

/** Render templates/<name>.hbs (name like "ifcfg/ifcfg-uplink") with a view. */
export function renderTemplate(name: string, view: object): string {
  let t = cache.get(name);
  if (!t) {
    t = hb.compile(source(name), { strict: true, noEscape: true });
    cache.set(name, t);
  }
  return t(view);
}
