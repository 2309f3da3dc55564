import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchedProcess } from '../../harness/watched-process.js';
import { freePort } from './gateway-process.js';

export interface Mosquitto {
  url: string;
  /** With `tls`: the PEM file of the test CA that signed its certificate (for localhost). */
  caFile?: string;
  port: number;
  /** SIGTERM: mosquitto saves its sessions and queued messages; start() brings them back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export interface MosquittoOptions {
  tls?: boolean;
  /** Logins it accepts (user: password); none: anonymous. */
  users?: Record<string, string>;
  /** With `users`: the text of its ACL file (`user rosehill` / `topic write careedge/#`). */
  acl?: string;
  /** Its Receive Maximum for MQTT 5 clients (max_inflight_messages): publishes unacknowledged at once. */
  receiveMaximum?: number;
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
 * of 127.0.0.1, anonymous unless given `users`, with persistence in its own temporary directory, so a persistent
 * subscriber (the head office) keeps its session and queued messages across stop() and start().
 * `user root`: mosquitto started as root would otherwise switch to the mosquitto user, who
 * cannot write the test's directory.
 */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-mosquitto-'));
  const port = await freePort();
  const tls = opts.tls ? testCertificates(dir) : undefined;
  const logins = opts.users ? loginFiles(dir, opts.users, opts.acl) : '';
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    `listener ${port} 127.0.0.1
${logins || 'allow_anonymous true\n'}persistence true
persistence_location ${dir}/
autosave_interval 0
max_queued_messages 0
${opts.receiveMaximum ? `max_inflight_messages ${opts.receiveMaximum}\n` : ''}log_dest stderr
log_type error
${process.getuid?.() === 0 ? 'user root\n' : ''}${tls ? `cafile ${tls.ca}\ncertfile ${tls.cert}\nkeyfile ${tls.key}\n` : ''}`,
  );
  const { start, stop } = watchedProcess('mosquitto', ['mosquitto', '-c', configFile], () => listening(port));
  await start();
  return {
    url: tls ? `mqtts://localhost:${port}` : `mqtt://127.0.0.1:${port}`,
    ...(tls ? { caFile: tls.ca } : {}),
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A password file holding these users (mosquitto_passwd hashes them) and an ACL file: their configuration lines. */
function loginFiles(dir: string, users: Record<string, string>, acl?: string): string {
  const passwords = join(dir, 'passwords');
  writeFileSync(passwords, '');
  for (const [user, password] of Object.entries(users))
    execFileSync('mosquitto_passwd', ['-b', passwords, user, password], { stdio: 'pipe' });
  let lines = `allow_anonymous false\npassword_file ${passwords}\n`;
  if (acl !== undefined) {
    writeFileSync(join(dir, 'acl'), acl);
    lines += `acl_file ${join(dir, 'acl')}\n`;
  }
  return lines;
}

/** A throw-away CA and a certificate for localhost signed by it (openssl, EC keys: fast). */
function testCertificates(dir: string) {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=CareEdge test CA',
  );
  openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '1',
    '-extfile',
    f('san.ext'),
  );
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}
