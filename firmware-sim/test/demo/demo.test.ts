/**
 * `npm run demo`, whole, as the README's walk-through runs it: a child process with the real
 * gateway, the scenario's devices and handsets over MQTT, a serial base station on a socat PTY
 * and a kiosk. It broke unseen once (the API began to need a login): this is what would have
 * said so. It plays in real time (about 35 s: the demo is paced for a person to read along);
 * the assertions are on what it prints and its exit code, never on its timing.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

it('plays the demo to the end: every alert closed, the serial SOS answered, the kiosk follow-up taken', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'firmware-sim/src/demo/main.ts'], {
    cwd: ROOT,
    timeout: 120_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  // execFile rejects on a non-zero exit: the demo exits 0 only when every alert was closed.
  const summary = stdout.slice(stdout.lastIndexOf('Sunrise Court demo:'));
  expect(summary).toMatch(/(\d+) alerts raised, .*; \1 resolved, 0 cancelled — all closed/);
  expect(summary).toMatch(/sos\s+high\s+Margaret Hughes, Room 101\s+owner \w+ → resolved/);
  expect(summary).toMatch(/feedback-follow-up low\s+West day lounge\s+owner farah → resolved/);
  expect(stdout).toMatch(/bs-demo\s+serial line up, logged in/);
  expect(stdout).toMatch(/wb-103\s+SOS pressed \(seq 1, by serial\)/);
  expect(stdout).toMatch(/wb-103\s+← "Help is coming: \w+ is on the way\."/);
  expect(stdout).toMatch(/Happy Index kiosk-lounge: 2\.50 \(4 taps\)/);
  expect(stdout).not.toMatch(/\b(401|500)\b|Error/);
}, 150_000);
