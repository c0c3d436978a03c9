/**
 * The PPPoE boot lab (L4): line1 static on the guest's NIC (the host's modem lab), line2 a PPPoE
 * session over dsl0 to the lab's ISP inside the guest (pppoe-lab.ts). For each backend that
 * renders PPPoE, the .deb `mpgen package --format deb --distro debian [--backend X]` built is
 * installed with the image's dpkg, the guest boots, and in the guest:
 *
 * - the backend's own start brings the session up; `mpgen check` passes (a `PPP session`);
 * - the multipath route holds `nexthop dev ppp0`, main has no default route by ppp0, traffic
 *   from the session's address to the ISP's target leaves by ppp0 and is answered;
 * - the ISP's side dies: pppd's LCP echoes end the session, the keepalive takes ppp0 out;
 * - the ISP comes back with another pool: pppd (persist) dials again, the rule follows the new
 *   address, the balance takes ppp0 back; `mpgen check` passes again;
 * - the password is in no command line and nowhere in the journal.
 *
 * No timed assertions: the figures are printed (and written to $TMPDIR). See docs/boot-lab.md.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_CATALOG } from '../../src/backends/catalog.js';
import { missing } from '../support/require.js';
import {
  BALANCED_UNIT,
  GUEST_PROFILE,
  PROFILES,
  balancedScript,
  buildCli,
  checkJson,
  cliFiles,
  debFor,
  failures,
  kv,
  labModel,
  type Deb,
} from './boot-lab.js';
import { bootImage, buildImage, type Image } from './image.js';
import { createLab, type Lab } from './lab-net.js';
import { POOL1, POOL2, PPP_LAB_UNITS, pppGuestScript, pppLabFiles, type PppPlan } from './pppoe-lab.js';
import { killRunningQemu, sections } from './qemu.js';

const skip = missing({
  commands: ['qemu-system-x86_64', 'debootstrap', 'mke2fs', 'cpio', 'busybox', 'dpkg-deb'],
  root: true,
  netns: true,
});

const PROFILE = 'lab-pppoe.yaml';
const NO_NM = ['NetworkManager.service', 'NetworkManager-wait-online.service'];
const IDLE_MS = Number(process.env.MPGEN_BOOTLAB_IDLE_MS ?? 150_000);

interface Case {
  id: string;
  /** --backend; undefined = Debian's default (ifupdown, backend eni) */
  backend?: 'networkd' | 'netplan' | 'nm';
  mask: string[];
  /** words of the journal printed with pppd's lines */
  journal: string[];
}

const CASES: Case[] = [
  { id: 'ifupdown-pppoe', mask: NO_NM, journal: ['networking', 'ifup'] },
  { id: 'networkd-pppoe', backend: 'networkd', mask: NO_NM, journal: ['mpgen-ppp-'] },
  { id: 'netplan-pppoe', backend: 'netplan', mask: NO_NM, journal: ['mpgen-ppp-'] },
  // NetworkManager's session came back after the ISP returned in 1 run of 3 (27.6 s); in the two
  // others not within the wait (docs/boot-lab.md): an open finding, so the case runs on request
  ...(process.env.MPGEN_BOOTLAB_NM_PPPOE === '1' ? [{ id: 'nm-pppoe', backend: 'nm' as const, mask: [], journal: ['NetworkManager'] }] : []),
];

/** A backend not rendering PPPoE yet (src/backends/catalog.ts `dynamic`): its case waits for it. */
const renders = (c: Case) => BACKEND_CATALOG.find((b) => b.name === (c.backend ?? 'eni'))?.dynamic.includes('pppoe' as never) ?? false;

interface Figures {
  id: string;
  imageBuildS?: number;
  qemuS?: number;
  retries?: number;
  /** guest uptime at the first ip-up of the session */
  sessionUpAtS?: number;
  balancedAtS?: number;
  checkAttempts?: number;
  /** from the ISP's side going down to ppp0 out of the multipath route; to ppp0 without address */
  detectS?: number;
  sessionGoneS?: number;
  /** from the ISP's return (new pool) to ppp0 back in the balance with the rule from the new address */
  rejoinS?: number;
  addresses?: string;
  /** what mpgen check failed on while the session was down */
  checkOut?: string;
}

const figures: Figures[] = [];
const t0 = Date.now();

describe.skipIf(skip !== undefined)('boot lab (L4): a PPPoE line, the real pppd against pppoe-server in the guest', () => {
  const work = mkdtempSync(join(tmpdir(), 'mpgen-bootlab-ppp-'));
  const m = labModel(PROFILE);
  const ppp = m.uplinks.find((u) => u.addressing === 'pppoe')!;
  const debs = new Map<string, Deb>();
  let lab: Lab | undefined;
  let image: Image | undefined;

  beforeAll(() => {
    buildCli();
    for (const c of CASES) if (renders(c)) debs.set(c.id, debFor(join(PROFILES, PROFILE), m.name, join(work, c.id), c.backend));
  }, 300_000);

  afterAll(() => {
    killRunningQemu();
    lab?.destroy();
    image?.dispose();
    rmSync(work, { recursive: true, force: true });
    const wall = (Date.now() - t0) / 1000;
    console.log(`[boot-lab-pppoe] figures (guest seconds; wall ${wall.toFixed(0)} s for this file):`);
    for (const f of figures) console.log(`[boot-lab-pppoe] ${JSON.stringify(f)}`);
    writeFileSync(join(tmpdir(), 'mpgen-boot-lab-pppoe-figures.json'), `${JSON.stringify({ wallS: wall, figures }, null, 2)}\n`);
  });

  CASES.forEach((c, ci) => {
    if (!renders(c)) console.warn(`[boot-lab-pppoe] ${c.id}: the ${c.backend} backend does not render address: pppoe yet; the case runs once it does`);
    it.skipIf(!renders(c))(`${c.id}: dpkg -i, boot, the session up and balanced, the line dies, the ISP renumbers`, { timeout: 720_000 }, async () => {
      const deb = debs.get(c.id) as Deb;
      const fig: Figures = { id: c.id };
      figures.push(fig);
      expect(deb.keepaliveUnit, `no keepalive unit in ${deb.contents.join(' ')}`).toBeDefined();
      // the package never carries the password file (the lab writes it, as the admin would)
      expect(deb.contents).not.toContain(ppp.pppoe?.passwordFile);
      const plan: PppPlan = {
        ether: ppp.interface,
        device: ppp.device as string,
        table: m.routing.multipathTable,
        uplinkTable: ppp.table,
        keepaliveUnit: deb.keepaliveUnit as string,
        journalUnits: c.journal,
      };
      const line1 = m.uplinks.find((u) => u.addressing !== 'pppoe')!;

      const attempt = async (n: number) => {
        lab?.destroy();
        image?.dispose();
        lab = createLab(`bp${process.pid % 10000}${ci}`, [{ address: line1.address!.cidr, gateway: line1.gateway as string }]);
        image = buildImage({
          debs: [deb.path],
          debInstall: 'chroot',
          mask: c.mask,
          hostFiles: cliFiles(),
          files: {
            [GUEST_PROFILE]: { content: readFileSync(join(PROFILES, PROFILE), 'utf8') },
            '/usr/local/sbin/mpgen-lab-balanced': { content: balancedScript(), mode: 0o755 },
            '/etc/systemd/system/mpgen-lab-balanced.service': { content: BALANCED_UNIT },
            ...pppLabFiles(),
          },
          enable: ['mpgen-lab-balanced.service', ...PPP_LAB_UNITS],
          resultScript: pppGuestScript(plan),
        });
        fig.imageBuildS = Math.round(image.buildMs / 100) / 10;
        const tee = process.env.MPGEN_BOOTLAB_CONSOLE ? join(process.env.MPGEN_BOOTLAB_CONSOLE, `${c.id}-${n}.log`) : undefined;
        if (tee) writeFileSync(tee, '');
        const onConsole = (chunk: string) => tee && appendFileSync(tee, chunk);
        return bootImage(image, { nics: lab.taps.map((tap) => ({ tap })), netns: lab.labNs, timeoutMs: 400_000, idleTimeoutMs: IDLE_MS, maxBoots: 1, onConsole });
      };
      // a hung TCG guest is lab trouble: once more from a fresh lab and image (docs/boot-lab.md)
      let r = await attempt(1);
      if (r.runs.some((x) => x.timedOut)) {
        const kept = join(tmpdir(), `mpgen-boot-lab-${c.id}-hung-${Date.now()}.log`);
        writeFileSync(kept, r.console);
        console.log(`[boot-lab-pppoe] ${c.id}: attempt 1 hung; console kept in ${kept}; tail:\n${r.console.slice(-3000)}`);
        fig.retries = 1;
        r = await attempt(2);
      }
      fig.qemuS = Math.round(r.runs.reduce((a, x) => a + x.ms, 0) / 100) / 10;
      const u = sections(r.sections.user ?? '');
      if (!r.done || process.env.MPGEN_BOOTLAB_VERBOSE) console.log(`[boot-lab-pppoe] ${c.id} console tail:\n${r.console.slice(-6000)}`);
      const fo = kv(u.failover);
      const bal = kv(u.balanced);
      console.log(`[boot-lab-pppoe] ${c.id} failover ${JSON.stringify(fo)} balanced ${JSON.stringify(bal)}\nevents:\n${u.events ?? ''}`);
      const events = (u.events ?? '').split('\n').filter((l) => l.startsWith('up '));
      if (events[0]) fig.sessionUpAtS = Number(events[0].split(' ')[1]);
      fig.addresses = `${fo.first ?? '?'} -> ${fo.second ?? '?'}`;
      if (fo.gone === '1') fig.detectS = Math.round((Number(fo.out) - Number(fo.kill)) * 100) / 100;
      if (fo.noaddr) fig.sessionGoneS = Math.round((Number(fo.noaddr) - Number(fo.kill)) * 100) / 100;
      if (fo.back === '1') fig.rejoinS = Math.round((Number(fo.rejoined) - Number(fo.restore)) * 100) / 100;
      if (bal.passed !== '1' || fo.back !== '1') console.log(`[boot-lab-pppoe] ${c.id} pppd and the backend:\n${u.pppd ?? ''}\nlast failing check:\n${u['check-last-fail'] ?? ''}`);
      expect(r.runs.every((x) => !x.timedOut)).toBe(true);
      expect(r.done).toBe(true);

      // 1. the backend's start brought the session up, and the box is balanced with it
      expect(bal.passed, 'mpgen check never passed within 100 s of boot').toBe('1');
      fig.balancedAtS = Number(bal.end);
      fig.checkAttempts = Number(bal.attempts);
      const boot = checkJson(u['check-boot'], 'check at boot');
      expect(failures(boot)).toEqual([]);
      expect(boot.results.some((x) => x.ok && x.area === 'lease' && x.what.includes(`${ppp.name} (${plan.device}) PPP session: ${fo.first}`))).toBe(true);
      expect((u.unit ?? '').trim()).toBe('active');
      const s1 = u['session-boot'] ?? '';
      expect(kv(s1).address).toBe(POOL1);
      expect(s1).toMatch(new RegExp(`nexthop dev ${plan.device} weight ${ppp.weight}`));
      expect(s1.split('--- main default')[1]?.split('---')[0] ?? '').not.toContain(plan.device);
      expect(s1).toContain(`from ${POOL1} lookup ${plan.uplinkTable}`);
      expect(s1.split('--- get')[1] ?? '').toContain(`dev ${plan.device}`);
      const tr = kv(u.traffic);
      expect(u.traffic ?? '').toMatch(/5 packets transmitted, 5 received/);
      expect(Number(tr.tx)).toBeGreaterThanOrEqual(5);

      // 2. the line died (behind a live Ethernet): the session ended, ppp0 left the balance; check passes with line2 out
      expect(fo.gone, 'ppp0 still in the multipath route 60 s after the line died').toBe('1');
      const s2 = u['session-out'] ?? '';
      expect(kv(s2).address).toBe('');
      expect(s2.split('--- rules')[1] ?? '').not.toContain(`from ${POOL1} `);
      // mpgen check fails on a PPPoE line without a session (the lease result: "must be out of the
      // balance"), and on nothing else: the line is out, the rest holds
      const out = checkJson(u['check-out'], 'check with the session down');
      fig.checkOut = failures(out).map((x) => `${x.area}: ${x.what}: ${x.found ?? ''}`).join('; ');
      expect(failures(out).map((x) => x.area)).toEqual(['lease']);
      expect(out.results.some((x) => x.ok && x.area === 'keepalive' && x.what.includes(`${ppp.name} (${ppp.interface}) down`) && x.what.includes('out of the balance'))).toBe(true);

      // 3. the ISP is back with another pool: pppd dialled again, the rule and the balance followed
      expect(fo.back, 'the session did not come back into the balance within 120 s').toBe('1');
      expect(fo.second).toBe(POOL2);
      const s3 = u['session-back'] ?? '';
      expect(s3).toMatch(new RegExp(`nexthop dev ${plan.device} weight ${ppp.weight}`));
      expect(s3).toContain(`from ${POOL2} lookup ${plan.uplinkTable}`);
      expect(s3).not.toContain(`from ${POOL1} `);
      expect(u['traffic-back'] ?? '').toMatch(/5 packets transmitted, 5 received/);
      const back = checkJson(u['check-back'], 'check after the renumbering');
      expect(failures(back)).toEqual([]);
      expect(back.results.some((x) => x.ok && x.area === 'lease' && x.what.includes(`PPP session: ${POOL2}`))).toBe(true);

      // 4. the secret: on no command line (while pppd runs), nowhere in the journal
      const sec = kv(u.secret);
      expect(Number(sec.procs)).toBeGreaterThan(0);
      expect({ ps: sec.ps, journal: sec.journal }).toEqual({ ps: '0', journal: '0' });

      expect((r.sections.failed ?? '').trim(), `units failed at boot:\n${u.firewall ?? ''}`).toBe('');
      lab?.destroy();
      lab = undefined;
      image?.dispose();
      image = undefined;
    });
  });
});
