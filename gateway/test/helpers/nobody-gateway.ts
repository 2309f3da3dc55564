import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_SITE } from './gateway.js';

const PROCESS_SCRIPT = fileURLToPath(new URL('./gateway-as-process.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/**
 * The gateway in its own process as the user nobody (uid/gid 65534), so that a 0444 database in
 * a 0555 directory is really read-only for it: root would write it anyway. Resolves `ports` from
 * the first line the process prints; rejects, with its stderr, if it exits before.
 */
export function spawnNobodyGateway(dataDir: string, site = TEST_SITE) {
  const proc: ChildProcess = spawn(TSX, [PROCESS_SCRIPT, dataDir, site], {
    uid: 65534,
    gid: 65534,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ports = new Promise<{ mqttPort: number; httpPort: number }>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    proc.once('exit', (code) => reject(new Error(`gateway process exited with ${code}: ${stderr}`)));
  });
  return { process: proc, ports };
}
