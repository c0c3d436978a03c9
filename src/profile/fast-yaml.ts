/**
 * A fast first reading of a profile, for the common case: a plain block-style YAML file with
 * nothing unusual in it, that turns out to have no problem at all. Such a profile needs no
 * positions, so the `yaml` package's document (its lexer and CST parser, about 0.3 ms for a
 * 700-byte profile) is not needed to read it; js-yaml reads it in a tenth of that.
 *
 * The reading must give exactly the value `yaml` gives (`parseDocument(..., { version: '1.2' })`
 * then `toJS()`), or a profile would mean something else depending on which parser read it.
 * Two guards make sure it does:
 * - **a screen**: every line must be blank, a comment, `key: value`, `key:` or `- value` (with
 *   `- key: value` for list items), where a key is a plain word and a value is a plain scalar of
 *   a restricted alphabet, a single-line quoted string without escapes, or a one-line flow
 *   sequence of those (`probe: [192.0.2.1, 192.0.2.9]`). Anything else (anchors, aliases, tags,
 *   flow mappings, block scalars, multi-line scalars, directives, several documents, tabs, CR,
 *   backslashes) returns undefined, and the caller reads the file with `yaml`;
 * - **the same scalar rules**: js-yaml resolves plain scalars with a schema built here from the
 *   `yaml` package's YAML 1.2 core schema (the same regular expressions, the same conversions),
 *   not with its own.
 * A test (test/profile/fast-yaml.test.ts) reads thousands of generated and hostile profiles both
 * ways and requires the same value, or the screen's refusal.
 *
 * Only a profile with no diagnostic at all is taken from here (src/profile/load.ts): any error
 * or warning is produced by the `yaml` path, with its positions.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/**
 * One js-yaml type per tag (js-yaml keeps only the last type of a tag), trying the `yaml`
 * package's rules for that tag in its order, each with its own conversion.
 */
const scalar = (tag: string, rules: Array<[RegExp, (s: string) => unknown]>): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && rules.some(([re]) => re.test(s)),
    construct: (s: string) => rules.find(([re]) => re.test(s))![1](s),
  });

/** yaml/dist/schema/core: null, bool, intOct, int, intHex, floatNaN, floatExp, float */
const CORE_1_2 = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: string | null) => s === null || /^(?:~|[Nn]ull|NULL)?$/.test(s),
      construct: () => null,
    }),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/**
 * A key: a plain word, as every profile key is, but none that YAML reads as null or a boolean,
 * and not __proto__.
 */
const KEY = '(?!(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL|__proto__):)[A-Za-z_][A-Za-z0-9_-]*';
/** a character of a plain scalar; a colon or a space only between two of them */
const C = '[A-Za-z0-9_.~+/=()<>@-]';
/** A plain scalar that starts with no YAML indicator (a "-" only before a letter, digit or dot). */
const PLAIN = `(?:[A-Za-z0-9_.~+/=()]|-(?=[A-Za-z0-9.]))(?:${C}|[: ](?=${C}))*`;
const QUOTED = `"[^"\\\\]*"|'[^']*'`;
/** in a flow sequence on one line: a plain scalar without colons, or a quoted string */
const ITEM = `(?:(?:[A-Za-z0-9_.~+/=()]|-(?=[A-Za-z0-9.]))(?:[A-Za-z0-9_.~+/=()<>@-]| (?=[A-Za-z0-9_.~+/=()<>@-]))*|${QUOTED})`;
/** a plain scalar, a quoted string on one line without escapes, or a one-line flow sequence of those */
const VALUE = `(?:${PLAIN}|${QUOTED}|\\[ *(?:${ITEM}(?: *, *${ITEM})*)? *\\])`;
const COMMENT = '(?: +#.*)?';
const LINE = new RegExp(`^(?: *(?:- +)*${KEY}:(?: +${VALUE})?${COMMENT}| *(?:- +)+${VALUE}${COMMENT}| *(?:#.*)?)$`);
/**
 * The parts of a content line the screen admitted (fast-locate.ts): 1 indent, 2 the dashes,
 * 3 a key, 4 the value after it, 5 a value after the dashes alone. With indices (the d flag).
 */
export const LINE_PARTS = new RegExp(`^( *)((?:- +)*)(?:(${KEY}):(?: +(${VALUE}))?|(${VALUE}))${COMMENT}$`, 'd');

/**
 * The profile's value when the screen admits the text and js-yaml reads it; undefined when the
 * `yaml` package must read it instead.
 */
export function fastYamlValue(text: string): unknown {
  if (text.includes('\t') || text.includes('\r') || text.includes('\\')) return undefined;
  for (const line of text.split('\n')) if (!LINE.test(line) || line.startsWith('---') || line.startsWith('...')) return undefined;
  try {
    return load(text, { schema: CORE_1_2, json: false });
  } catch {
    return undefined;
  }
}
