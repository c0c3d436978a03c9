import type { Command } from 'commander';

export function registerDistros(program: Command): void {
  program
    .command('distros')
    .description('List the distros, their backends and the capabilities gated by the versions they ship')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ mpgen distros')
    .action(async (opts: { json?: boolean }) => {
      const [{ capabilitiesOf }, { distroRegistry }, { BACKEND_CATALOG }] = await Promise.all([
        import('../../backends/features.js'),
        import('../../distros/registry.js'),
        import('../../backends/catalog.js'),
      ]);
      const rows = [...distroRegistry().values()].map((d) => ({ ...d, capabilities: capabilitiesOf(d.versions) }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const d of rows) {
        const v = d.versions;
        const caps = Object.entries(d.capabilities)
          .filter(([, on]) => on)
          .map(([k]) => k);
        process.stdout.write(
          `${d.name.padEnd(7)} ${`${d.family} ${d.release}`.padEnd(16)} backend ${d.defaultBackend.padEnd(8)} (also ${d.backends.filter((b) => b !== d.defaultBackend).join(', ') || '-'}) package ${d.packageFormat}\n` +
            `        systemd ${v.systemd}, iproute2 ${v.iproute2}${v.networkmanager ? `, NetworkManager ${v.networkmanager}` : ''}${v.netplan ? `, netplan ${v.netplan}` : ''}\n` +
            `        capabilities: ${caps.join(', ')}\n`,
        );
      }
      process.stdout.write(`\nbackends:\n${BACKEND_CATALOG.map((b) => `  ${b.name.padEnd(9)}${b.description}\n`).join('')}`);
    });
}
