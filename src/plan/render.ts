/**
 * model + distro + backend -> Plan. The only place that knows which parts make
 * up a render: common files, firewall, keepalive and the backend's own files.
 */
import { renderContext, type Contribution } from '../backends/backend.js';
import { common } from '../backends/common.js';
import { firewall } from '../backends/firewall.js';
import { keepalive } from '../backends/keepalive.js';
import { BACKEND_CATALOG } from '../backends/catalog.js';
import { backendEntry, type BackendName } from '../backends/registry.js';
import { UserError } from '../base/user-error.js';
import type { Distro } from '../distros/distro.js';
import { getDistro } from '../distros/registry.js';
import type { Model } from '../model/model.js';
import { sortFiles } from '../base/planned-file.js';
import type { Plan } from './plan.js';

export class BackendChoiceError extends Error {}

export function chooseBackend(distro: Distro, requested?: string): BackendName {
  if (requested === undefined) return distro.defaultBackend;
  if (!(distro.backends as string[]).includes(requested))
    throw new BackendChoiceError(`backend "${requested}" is not available for ${distro.name}. Choose one of: ${distro.backends.join(', ')}`);
  return requested as BackendName;
}

const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();

/** "a", "a and b", "a, b and c" */
const listed = (xs: string[]): string => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** An uplink whose addressing the backend does not render yet: said before anything is rendered. */
function refuseUnrendered(model: Model, backend: string, dynamic: readonly string[]): void {
  for (const u of model.uplinks) {
    if (u.addressing === 'static' || dynamic.includes(u.addressing)) continue;
    const able = BACKEND_CATALOG.filter((b) => (b.dynamic as readonly string[]).includes(u.addressing)).map((b) => b.name);
    throw new UserError(
      `${model.source}: uplinks[${u.index}] (${u.name}): address: ${u.addressing} is not rendered by the ${backend} backend yet` +
        (able.length > 0 ? `; ${listed(able)} ${able.length === 1 ? 'renders' : 'render'} it: choose ${able.length === 1 ? 'it' : 'one'} with --backend (or a distro that uses it)` : '') +
        ', or give the uplink a static address',
    );
  }
}

export function renderPlan(model: Model, distroOrName: Distro | string, requestedBackend?: string): Plan {
  const distro = typeof distroOrName === 'string' ? getDistro(distroOrName) : distroOrName;
  const backend = chooseBackend(distro, requestedBackend);
  const entry = backendEntry(backend);
  refuseUnrendered(model, backend, entry.dynamic);
  const ctx = renderContext(model, distro);
  const parts: Contribution[] = [common(entry)(ctx), firewall(ctx), keepalive(ctx), entry.render(ctx)];

  const files = parts.flatMap((p) => p.files);
  const seen = new Map<string, number>();
  files.forEach((f, i) => {
    if (seen.has(f.path)) throw new Error(`internal error: two parts of the render both write ${f.path}`);
    seen.set(f.path, i);
  });
  return {
    name: model.name,
    distro: distro.name,
    backend,
    files: sortFiles(files),
    enable: uniq(parts.flatMap((p) => p.enable ?? [])),
    sysctlFiles: uniq(parts.flatMap((p) => p.sysctlFiles ?? [])),
    onRemove: uniq(parts.flatMap((p) => p.onRemove ?? [])),
    depends: { deb: uniq(parts.flatMap((p) => p.depends?.deb ?? [])), rpm: uniq(parts.flatMap((p) => p.depends?.rpm ?? [])) },
    notes: [...new Set(parts.flatMap((p) => p.notes ?? []))],
  };
}
