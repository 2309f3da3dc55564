import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './gateway-process.js';
import { watchedProcess } from './watched-process.js';

export interface Mosquitto {
  url: string;
  port: number;
  /** SIGTERM: mosquitto saves its sessions and queued messages; start() brings them back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/**
 * A real Mosquitto (Debian's) standing in for a head office broker: one listener on a free port
 * of 127.0.0.1, anonymous, with persistence in its own temporary directory, so a persistent
 * subscriber (the head office) keeps its session and queued messages across stop() and start().
 * `user root`: mosquitto started as root would otherwise switch to the mosquitto user, who
 * cannot write the test's directory.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-mosquitto-'));
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    `listener ${port} 127.0.0.1
allow_anonymous true
persistence true
persistence_location ${dir}/
autosave_interval 0
max_queued_messages 0
log_dest stderr
log_type error
${process.getuid?.() === 0 ? 'user root\n' : ''}`,
  );
  const { start, stop } = watchedProcess('mosquitto', ['mosquitto', '-c', configFile], () => listening(port));
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
