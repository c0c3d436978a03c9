/**
 * Every shape of package mpgen can build: what a package enables and applies
 * depends on the firewall, the keepalive, the mode and the backend, so the
 * shapes are their product, for every distro and alternate backend. A shape
 * with nothing to enable is the one that used to break (`then` before `fi`).
 */
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/plan.js';
import { GOLDEN_TARGETS } from '../golden/targets.js';
import { profileText } from './profile-text.js';

export const FIREWALLS = ['nftables', 'iptables', 'none'] as const;
export const MODES = ['multipath', 'equalize', 'teql'] as const;

export interface Shape {
  label: string;
  firewall: (typeof FIREWALLS)[number];
  keepalive: boolean;
  mode: (typeof MODES)[number];
  distro: string;
  backend?: string;
}

/** The profile P of issue 14, with the shape's firewall, keepalive and mode. */
export function shapeProfile(s: Pick<Shape, 'firewall' | 'keepalive' | 'mode'>, name = 'lab'): string {
  return profileText({
    version: 1,
    name,
    mode: s.mode,
    uplinks: [
      { name: 'a', interface: 'eth1', address: '192.0.2.1/30', gateway: '192.0.2.2' },
      { name: 'b', interface: 'eth2', address: '198.51.100.1/30', gateway: '198.51.100.2' },
    ],
    ...(s.mode === 'teql' ? { bond: { interface: 'teql0', address: '203.0.113.1/29', gateway: '203.0.113.6' } } : {}),
    firewall: s.firewall,
    keepalive: { enabled: s.keepalive },
  });
}

export function shapeModel(s: Pick<Shape, 'firewall' | 'keepalive' | 'mode'>, name = 'lab'): Model {
  return loadModelFromText(shapeProfile(s, name), `${name}.yaml`).model;
}

export function* packageShapes(): Generator<Shape & { model: Model; plan: Plan }> {
  for (const firewall of FIREWALLS)
    for (const keepalive of [true, false])
      for (const mode of MODES) {
        const model = shapeModel({ firewall, keepalive, mode });
        for (const t of GOLDEN_TARGETS) {
          let plan: Plan;
          try {
            plan = renderPlan(model, t.distro, t.backend);
          } catch (e) {
            // teql is not offered by every backend: that shape does not exist
            if (/teql/i.test((e as Error).message)) continue;
            throw e;
          }
          yield { label: `${t.dir}/${mode}/firewall=${firewall}/keepalive=${keepalive}`, firewall, keepalive, mode, distro: t.distro, backend: t.backend, model, plan };
        }
      }
}
