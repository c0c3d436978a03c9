/**
 * The keepalive lab with line2 as a DHCP uplink (test/keepalive/lab.ts): no address, rule or route
 * until a lease, and the modem answering in a second pool and on a second router address, so a
 * test or a bench can hand the router namespace what a DHCP client would (the leased address,
 * the lease's router in the uplink's table). Used by test/keepalive/dynamic.test.ts and
 * bench/dhcp-follow.ts.
 */
import type { Model } from '../../src/model/model.js';
import { Daemon, Lab, TABLE, install, labModel, modemAddr, routerAddr, sh, type Installed } from './lab.js';

/** the ISP's second pool: the modem answers there too after a renumbering */
export const POOL2 = { router: '203.0.113.33', lease: '203.0.113.34', prefix: 29, net: '203.0.113.32/29' };
/** a second router address in the first pool: a renewal that changes only the router */
export const ROUTER1B = '198.51.100.19';
export const POOL1 = { router: modemAddr(2), lease: routerAddr(2), prefix: 29 };
/** a balanced destination other than the default route */
export const SUBNET = '203.0.113.64/26';

export class DynamicLab {
  readonly lab: Lab;
  inst!: Installed;
  model!: Model;
  daemon!: Daemon;
  constructor(prefix: string) {
    this.lab = new Lab(prefix, 2);
  }

  r(...a: string[]): string {
    return sh('ip', ['-n', this.lab.ns.router, ...a]);
  }

  /**
   * The lab, line2 stripped of its static setup, and the daemon with line2 dynamic (not yet
   * started). `pppoe`: line2 stands for a PPP session, whose device (r2 here) gets a point-to-point
   * address and no router: the host kernel has no PPP, and the daemon reads only the address.
   */
  create(shell: string[] = ['dash'], addressing: 'dhcp' | 'pppoe' = 'dhcp'): void {
    const lab = this.lab;
    lab.create({ multipathRoute: false });
    this.r('rule', 'del', 'from', `${routerAddr(2)}/32`, 'lookup', '202');
    this.r('route', 'del', 'default', 'table', '202');
    this.r('addr', 'del', `${routerAddr(2)}/29`, 'dev', 'r2');
    const m2 = lab.ns.modem(2);
    sh('ip', ['-n', m2, 'addr', 'add', `${POOL2.router}/${POOL2.prefix}`, 'dev', 'm2']);
    sh('ip', ['-n', m2, 'addr', 'add', `${ROUTER1B}/29`, 'dev', 'm2']);
    sh('ip', ['-n', lab.ns.internet, 'route', 'add', POOL2.net, 'via', '192.0.2.18']);
    const m = labModel({ n: 2, probe: (i) => [modemAddr(i)] });
    Object.assign(m.uplinks[1]!, { addressing, address: undefined, gateway: undefined, ruleFrom: undefined, probe: [], probeGateway: true });
    // a balanced subnet beside the default route: the client adds the default alone
    m.routes = ['default', SUBNET];
    this.model = m;
    this.inst = install(m);
    // the balance a render installs: the static uplink only (a lease's nexthop is the daemon's)
    lab.installOnly([1]);
    this.daemon = new Daemon(lab, this.inst, 'lab', shell);
  }

  /** What a DHCP client does for a lease: the address, and the router into the uplink's table. */
  lease(addr: string, prefix: number, router: string): void {
    this.r('addr', 'add', `${addr}/${prefix}`, 'dev', 'r2');
    this.r('route', 'replace', 'default', 'via', router, 'dev', 'r2', 'table', '202', 'proto', 'static');
  }

  /** What pppd does when a session comes up: the local address with the peer's, on the device. */
  session(local: string, peer: string): void {
    this.r('addr', 'add', local, 'peer', `${peer}/32`, 'dev', 'r2');
  }

  endSession(local: string, peer: string): void {
    this.r('addr', 'del', local, 'peer', `${peer}/32`, 'dev', 'r2');
  }

  unlease(addr: string, prefix: number): void {
    this.r('route', 'del', 'default', 'table', '202');
    this.r('addr', 'del', `${addr}/${prefix}`, 'dev', 'r2');
  }

  /** A renewal that changes only the router. */
  router(router: string): void {
    this.r('route', 'replace', 'default', 'via', router, 'dev', 'r2', 'table', '202', 'proto', 'static');
  }

  rules(): string {
    return this.r('-4', 'rule', 'show');
  }

  route(): string {
    return this.r('-o', 'route', 'show', 'table', String(TABLE));
  }

  /** SUBNET's route in line2's table, or '' */
  subnetRoute(): string {
    return this.r('-o', 'route', 'show', SUBNET, 'table', '202').trim();
  }

  /** The kernel follows: the rule from ADDR and the nexthop through ROUTER are in place. */
  follows(addr: string, router: string): boolean {
    return this.rules().includes(`202:\tfrom ${addr} lookup 202`) && this.route().includes(`nexthop via ${router} dev r2 `);
  }
}
