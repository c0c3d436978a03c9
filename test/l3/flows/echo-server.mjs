// Echo server for the steering lab (test/l3/steering-*.ts), run in the internet namespace:
//   node echo-server.mjs ADDRESS TCP_PORTS UDP_PORTS MAX_SECONDS
// TCP: every byte is sent back. UDP: a datagram "FLOW SEQ" is sent back to its sender while the
// sender is the address:port the flow first came from, as a stateful UDP service (VPN, DTLS, SIP)
// keeps its peer: a flow whose public source changed (moved to another line, re-masqueraded) breaks.
// Exits after MAX_SECONDS, or when its stdin closes (the lab stopped or died).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

const [address, tcpList, udpList, maxSeconds] = process.argv.slice(2);
const ports = (s) => (s ? s.split(',').filter(Boolean).map(Number) : []);
const sockets = new Set();
let pending = 0;
const ready = () => {
  if (--pending === 0) process.stdout.write('ready\n');
};

for (const port of ports(tcpList)) {
  pending++;
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  srv.listen({ host: address, port, backlog: 1024 }, ready);
}
for (const port of ports(udpList)) {
  pending++;
  const u = createSocket('udp4');
  const peers = new Map();
  u.on('message', (msg, rinfo) => {
    const flow = msg.toString().split(' ')[0];
    const from = `${rinfo.address}:${rinfo.port}`;
    if (!peers.has(flow)) peers.set(flow, from);
    if (peers.get(flow) === from) u.send(msg, rinfo.port, rinfo.address);
  });
  u.on('error', () => {});
  u.bind(port, address, ready);
}

const quit = () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
};
setTimeout(quit, Number(maxSeconds) * 1000).unref();
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.resume();
