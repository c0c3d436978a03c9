/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough for the
 * keepalive's textfile: HELP and TYPE before a metric's samples, every sample of a metric
 * together, a known type, label names and quoted values, a float value, no duplicate series,
 * a final newline. Throws on the first violation; returns the samples.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"$/;
const VALUE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf)$/;

export function checkPromText(text: string): PromSample[] {
  if (!text.endsWith('\n')) throw new Error('prom: no final newline');
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const done = new Set<string>();
  const series = new Set<string>();
  let current = '';
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, n) => {
      const at = `prom line ${n + 1}: ${line}`;
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
        if (!m) throw new Error(`${at}: not a HELP or TYPE line`);
        const [, kind, name] = m as unknown as [string, string, string, string];
        if (!NAME.test(name)) throw new Error(`${at}: bad metric name`);
        if (done.has(name) || (current !== name && (types.has(name) || helped.has(name)) && samples.some((s) => s.name === name))) throw new Error(`${at}: metric metadata after its samples`);
        if (kind === 'TYPE') {
          if (types.has(name)) throw new Error(`${at}: second TYPE`);
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`${at}: unknown type`);
          types.set(name, m[3]!);
        } else {
          if (helped.has(name)) throw new Error(`${at}: second HELP`);
          helped.add(name);
        }
        if (current && current !== name) done.add(current);
        current = name;
        return;
      }
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`${at}: not a sample`);
      const [, name, body, raw] = m as unknown as [string, string, string | undefined, string];
      if (name !== current) throw new Error(`${at}: sample outside its metric's group`);
      if (!types.has(name)) throw new Error(`${at}: no TYPE`);
      if (types.get(name) === 'counter' && !name.endsWith('_total')) throw new Error(`${at}: a counter's name ends in _total`);
      const labels: Record<string, string> = {};
      if (body !== undefined && body !== '') {
        for (const pair of body.split(',')) {
          const l = LABEL.exec(pair);
          if (!l) throw new Error(`${at}: bad label ${pair}`);
          if (l[1]! in labels) throw new Error(`${at}: duplicate label ${l[1]}`);
          labels[l[1]!] = l[2]!;
        }
      }
      if (!VALUE.test(raw)) throw new Error(`${at}: bad value`);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (series.has(key)) throw new Error(`${at}: duplicate series`);
      series.add(key);
      samples.push({ name, labels, value: raw === 'NaN' ? NaN : Number(raw.replace('Inf', 'Infinity')) });
    });
  return samples;
}
