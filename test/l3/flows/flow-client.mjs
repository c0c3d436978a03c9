// Long-lived flows for the steering lab (test/l3/steering-flows.ts), run in the LAN namespace:
//   node flow-client.mjs MAX_SECONDS
// Commands on stdin, one JSON object a line; answers on stdout, one JSON object a line:
//   {"cmd":"open","tag":"a","proto":"tcp"|"udp","count":200,"host":"203.0.113.10","port":7000}
//       opens the flows; each sends a line every 200 ms and expects it back
//   {"cmd":"window"}        starts a measurement window: every flow's largest echo gap is reset
//   {"cmd":"report","id":1} -> {"id":1,"flows":[{tag,proto,idx,sport,state,age,maxGap,echoes,err}]}
//       age: ms since the last echo (since the open while none came), maxGap: the largest gap
//       between echoes in the window, counting the current one
//   {"cmd":"close","tag":"a"}
// Exits after MAX_SECONDS, or when stdin closes.
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

const SEND_MS = 200;
const maxSeconds = Number(process.argv[2] ?? '120');
const flows = [];

function base(tag, proto, idx) {
  const now = Date.now();
  return { tag, proto, idx, sport: 0, state: 'connecting', last: now, maxGap: 0, echoes: 0, err: '', timer: undefined, close: () => {} };
}

function echoed(f) {
  const now = Date.now();
  f.maxGap = Math.max(f.maxGap, now - f.last);
  f.last = now;
  f.echoes++;
}

function tick(f, send) {
  let seq = 0;
  // spread the flows over the period, so the lab sees a steady packet rate
  const start = setTimeout(() => {
    f.timer = setInterval(() => send(`${f.tag}.${f.idx} ${seq++}\n`), SEND_MS);
  }, Math.floor(Math.random() * SEND_MS));
  f.stopTick = () => {
    clearTimeout(start);
    if (f.timer) clearInterval(f.timer);
  };
}

function openTcp(tag, idx, host, port) {
  const f = base(tag, 'tcp', idx);
  const s = connect({ host, port });
  s.setNoDelay(true);
  s.on('connect', () => {
    f.state = 'open';
    f.sport = s.localPort;
    f.last = Date.now();
    tick(f, (line) => s.write(line));
  });
  let buf = '';
  s.on('data', (d) => {
    buf += d.toString();
    if (buf.includes('\n')) {
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
      echoed(f);
    }
  });
  s.on('error', (e) => {
    f.err = e.code ?? String(e);
  });
  s.on('close', () => {
    f.stopTick?.();
    if (f.state !== 'closed') f.state = f.err ? 'error' : 'closed';
  });
  f.close = () => {
    f.state = 'closed';
    s.destroy();
  };
  return f;
}

function openUdp(tag, idx, host, port) {
  const f = base(tag, 'udp', idx);
  const u = createSocket('udp4');
  u.on('message', () => echoed(f));
  u.on('error', (e) => {
    f.err = e.code ?? String(e);
  });
  u.connect(port, host, () => {
    f.state = 'open';
    f.sport = u.address().port;
    f.last = Date.now();
    tick(f, (line) => u.send(line));
  });
  f.close = () => {
    f.stopTick?.();
    f.state = 'closed';
    u.close();
  };
  return f;
}

function report(id) {
  const now = Date.now();
  const out = flows.map((f) => ({
    tag: f.tag,
    proto: f.proto,
    idx: f.idx,
    sport: f.sport,
    state: f.state,
    age: now - f.last,
    maxGap: Math.max(f.maxGap, now - f.last),
    echoes: f.echoes,
    err: f.err,
  }));
  process.stdout.write(JSON.stringify({ id, flows: out }) + '\n');
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch {
    return;
  }
  if (c.cmd === 'open') {
    const n = flows.filter((f) => f.tag === c.tag).length;
    for (let k = 0; k < c.count; k++) flows.push((c.proto === 'udp' ? openUdp : openTcp)(c.tag, n + k, c.host, c.port));
    process.stdout.write(JSON.stringify({ id: c.id ?? 0, opened: c.count }) + '\n');
  } else if (c.cmd === 'window') {
    const now = Date.now();
    for (const f of flows) f.maxGap = now - f.last;
    process.stdout.write(JSON.stringify({ id: c.id ?? 0, window: true }) + '\n');
  } else if (c.cmd === 'report') report(c.id ?? 0);
  else if (c.cmd === 'close') {
    for (const f of flows) if (f.tag === c.tag && f.state !== 'closed') f.close();
    process.stdout.write(JSON.stringify({ id: c.id ?? 0, closed: c.tag }) + '\n');
  }
});
const quit = () => process.exit(0);
rl.on('close', quit);
setTimeout(quit, maxSeconds * 1000);
