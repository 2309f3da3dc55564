// The floor under the bench's 20,000 msg/s figure: the least an MQTT server can do per QoS 1
// telemetry message on this machine (read it, answer PUBACK; no broker, no JSON, no storage),
// against clients that send like the bench's lean bands. The gateway's own CPU at the same load
// (`npm run bench -- --devices 5000 --rate 4`) is then read against this.
//
//   node scripts/measure-mqtt-floor.mjs [--devices 5000] [--rate 4] [--seconds 30]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const me = new URL(import.meta.url).pathname;

/** The server: frames read per connection, PUBACKs of one read written at once. */
function serve() {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let messages = 0;
  const server = net.createServer({ noDelay: true }, (s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let off = 0;
      const out = [];
      while (off + 2 <= buf.length) {
        let len = 0;
        let mul = 1;
        let i = off + 1;
        let b;
        do {
          b = buf[i++];
          len += (b & 127) * mul;
          mul *= 128;
        } while (b & 128 && i < buf.length);
        if (i + len > buf.length) break;
        const type = buf[off] >> 4;
        if (type === 1) out.push(Buffer.from([0x20, 2, 0, 0]));
        else if (type === 3) {
          const id = buf.readUInt16BE(i + 2 + buf.readUInt16BE(i));
          out.push(Buffer.from([0x40, 2, id >> 8, id & 255]));
          messages++;
        } else if (type === 12) out.push(Buffer.from([0xd0, 0]));
        off = i + len;
      }
      buf = buf.subarray(off);
      if (out.length) s.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  let last = { cpu: process.cpuUsage(), at: performance.now(), messages: 0 };
  process.on('message', () => {
    const cpu = process.cpuUsage(last.cpu);
    const ms = performance.now() - last.at;
    process.send({
      perS: ((messages - last.messages) * 1000) / ms,
      cpuPct: (100 * (cpu.user + cpu.system)) / 1000 / ms,
      loopP99Ms: Math.max(0, delay.percentile(99) / 1e6 - 10),
      loopMaxMs: Math.max(0, delay.max / 1e6 - 10),
    });
    last = { cpu: process.cpuUsage(), at: performance.now(), messages };
    delay.reset();
  });
}

/** A worker's share of the bands: QoS 1 publishes of a telemetry-sized payload on an even schedule. */
function send() {
  const { port, bands, rate } = workerData;
  const topic = Buffer.from('careedge/v1/bench/device/wb-00001/telemetry');
  const payload = Buffer.from(
    JSON.stringify({
      seq: 1,
      ts: Date.now(),
      heartRateBpm: 72,
      activity: 12.5,
      steps: 3,
      worn: true,
      batteryPct: 80,
      rssiDbm: -60,
    }),
  );
  const sockets = Array.from({ length: bands }, () => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    s.write(Buffer.from([0x10, 12, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, 0]));
    s.on('error', () => {});
    return s;
  });
  let id = 0;
  let sent = 0;
  const started = performance.now();
  setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate * bands);
    for (; sent < due; sent++) {
      id = (id % 65535) + 1;
      const remaining = 2 + topic.length + 2 + payload.length;
      const p = Buffer.allocUnsafe(3 + remaining);
      let o = 0;
      p[o++] = 0x32;
      if (remaining < 128) p[o++] = remaining;
      else {
        p[o++] = (remaining & 127) | 128;
        p[o++] = remaining >> 7;
      }
      o = p.writeUInt16BE(topic.length, o);
      o += topic.copy(p, o);
      o = p.writeUInt16BE(id, o);
      o += payload.copy(p, o);
      sockets[sent % bands].write(p.subarray(0, o));
    }
  }, 5);
  parentPort.postMessage('started');
}

if (process.argv[2] === '--serve') serve();
else if (!isMainThread) send();
else {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '5000' },
      rate: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '30' },
    },
  });
  const [devices, rate, seconds] = [Number(values.devices), Number(values.rate), Number(values.seconds)];
  const server = spawn(process.execPath, [me, '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((r) => server.once('message', r));
  const workers = Math.max(1, Math.min(4, Math.ceil((devices * rate) / 5000)));
  const threads = Array.from(
    { length: workers },
    (_, w) =>
      new Worker(me, {
        workerData: { port, rate, bands: Math.floor(devices / workers) + (w < devices % workers ? 1 : 0) },
      }),
  );
  await new Promise((r) => setTimeout(r, 5000)); // connect and settle
  server.send('reset');
  await new Promise((r) => server.once('message', r));
  const own = process.cpuUsage();
  const at = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  server.send('read');
  const s = await new Promise((r) => server.once('message', r));
  const mine = process.cpuUsage(own);
  const clientPct = (100 * (mine.user + mine.system)) / 1000 / (performance.now() - at);
  console.log(
    `${devices} bands × ${rate} msg/s for ${seconds} s: server ${s.perS.toFixed(0)} msg/s at ${s.cpuPct.toFixed(0)}% of a core, ` +
      `event-loop delay p99 ${s.loopP99Ms.toFixed(1)} ms, max ${s.loopMaxMs.toFixed(1)} ms; clients ${clientPct.toFixed(0)}% of a core`,
  );
  for (const t of threads) await t.terminate();
  server.kill();
}
