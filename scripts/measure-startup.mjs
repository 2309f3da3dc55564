// Start-to-healthy time and idle memory of the gateway, as production runs it (`built`: node on
// the bundle) or as development does (`tsx`: TypeScript compiled on the fly). Medians of N runs,
// each on a fresh data directory with the example site.
//
//   node scripts/measure-startup.mjs [--runs 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(args) {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-startup-'));
  const http = await freePort();
  const env = {
    ...process.env,
    CAREEDGE_DATA_DIR: dir,
    CAREEDGE_HTTP__PORT: String(http),
    CAREEDGE_MQTT__PORT: String(await freePort()),
    CAREEDGE_LOG__LEVEL: 'warn',
  };
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${http}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(10);
    }
    const healthyMs = performance.now() - started;
    await sleep(3000); // idle: start-up garbage collected, timers settled
    return { healthyMs, rssMiB: rssMiB(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

// The bundle with the node flags `npm start` (and the systemd unit) give it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const startArgs = pkg.scripts.start.split('&& ').at(-1).trim().split(/\s+/).slice(1);
const variants = {
  built: startArgs,
  tsx: ['--import', 'tsx', 'gateway/src/main.ts'],
};
const results = {};
for (const [name, args] of Object.entries(variants)) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(args));
  results[name] = {
    startToHealthyMs: Math.round(median(samples.map((s) => s.healthyMs))),
    idleRssMiB: Math.round(median(samples.map((s) => s.rssMiB))),
  };
  console.log(
    `${name.padEnd(6)} start to healthy ${results[name].startToHealthyMs} ms, idle RSS ${results[name].idleRssMiB} MiB (median of ${runs})`,
  );
}
console.log(
  `built/tsx: start ${(results.built.startToHealthyMs / results.tsx.startToHealthyMs).toFixed(2)}×, RSS ${(results.built.idleRssMiB / results.tsx.idleRssMiB).toFixed(2)}×`,
);
