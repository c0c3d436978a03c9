/** The profile's defaults: what a key means when it is absent (the model applies them, the JSON Schema and docs/profile.md show them). */
export const DEFAULTS = {
  multipathTable: 222,
  rulePriorityBase: 200,
  prohibitFallback: true,
  hash: 'l4',
  nat: 'none',
  firewall: 'nftables',
  rpFilter: 'loose',
  forwarding: true,
  /**
   * Not the first design's example 0.5s/1s/3/10: those detect in 2.5 s but take a healthy line out about once
   * per 10 minutes at 10 % loss (measured: 4 false take-downs in 300 s, bench/keepalive.ts).
   * These detect in interval * (down + ceil(timeout / interval)) = 0.25 * (8 + 3) = 2.75 s, recover
   * in interval * up + rtt = 5.0 s, and expect 2e-5 false take-downs per 10 minutes at 10 % loss
   * per probe (docs/keepalive.md).
   */
  keepalive: { enabled: true, method: 'ping', interval: '250ms', timeout: '750ms', down: 8, up: 20 },
  /**
   * Far targets, probed through every uplink without `probe:` beside its gateway, so that a dead line
   * behind a live modem (seed 004) is noticed: anycast resolvers of two operators (Cloudflare,
   * Google), which answer ICMP echo worldwide. They are probed at half the gateway's rate (2 per
   * second per uplink with the defaults, the rate of pfSense's dpinger default) with down and up
   * halved, and lost when not answered within their interval, so the line is still taken out within
   * 3 s: 0.5 * (4 + 1) = 2.5 s
   * (docs/keepalive.md, "Far targets").
   */
  targets: ['1.1.1.1', '8.8.8.8'],
  /** in multipath and equalize modes, with a firewall to hold the connection marks */
  pinFlows: true,
  tier: 1,
  policyFallback: 'balance',
  packageVersion: '0.1.0',
  packageRelease: '1',
  /** 2024-01-01T00:00:00Z: the packed mtime when SOURCE_DATE_EPOCH is unset; never the clock. */
  epoch: 1704067200,
} as const;
