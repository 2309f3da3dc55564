import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from './logger.js';

/** The key and certificate both TLS listeners serve, and what staff compare at first visit. */
export interface TlsCredentials {
  key: string;
  cert: string;
  /** SHA-256 of the certificate, as browsers show it (`AB:CD:…`). */
  fingerprint: string;
  source: 'configured' | 'self-signed';
  /** ISO date after which clients refuse the certificate. */
  validTo: string;
  /** Where the certificate is, for the devices' CA file. */
  certFile: string;
}

const DAY_MS = 86_400_000;
/**
 * Apple's platforms refuse server certificates valid for longer than 825 days, even ones a user
 * chose to trust; a carer's iPhone must open the console.
 */
const SELF_SIGNED_DAYS = 825;
/** A self-signed certificate this close to its end is renewed at start, with the same key. */
const RENEW_BEFORE_DAYS = 30;

/** `validTo` is OpenSSL's text (`Feb 27 10:00:00 2029 GMT`); validToDate needs Node 22. */
const validTo = (x509: X509Certificate) => new Date(x509.validTo);

const fail = (path: string, message: string): never => {
  throw new ConfigError([`${path}: ${message}`]);
};

function readPem(path: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return fail(path, e.code === 'ENOENT' ? `no such file ${file}` : `cannot read ${file} (${e.message})`);
  }
}

/** Parses and pairs a certificate and key, or says which file is wrong and why. */
function checked(cert: string, key: string, paths: { cert: string; key: string }) {
  let x509: X509Certificate;
  let keyObject: KeyObject;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return fail(paths.cert, `not a PEM certificate (${(err as Error).message})`);
  }
  try {
    keyObject = createPrivateKey(key);
  } catch (err) {
    return fail(paths.key, `not an unencrypted PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(keyObject)) fail(paths.key, `does not match the certificate in ${paths.cert}`);
  return { x509, keyObject };
}

const credentials = (
  x509: X509Certificate,
  key: string,
  cert: string,
  source: TlsCredentials['source'],
  certFile: string,
): TlsCredentials => ({
  key,
  cert,
  fingerprint: x509.fingerprint256,
  source,
  validTo: validTo(x509).toISOString(),
  certFile,
});

/** The names a device or phone may reach this machine by, and those the configuration adds. */
function selfSignedNames(configured: string): { all: string[]; configured: string[] } {
  const extra = configured
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const host = hostname();
  const local = host.includes('.') ? [] : [`${host}.local`]; // mDNS, as Raspberry Pi OS announces
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  const all = [...new Set([host, ...local, 'localhost', '127.0.0.1', '::1', ...addresses, ...extra])];
  return { all, configured: extra };
}

const covers = (x509: X509Certificate, name: string) =>
  isIP(name) ? x509.checkIP(name) !== undefined : x509.checkHost(name) !== undefined;

async function generateSelfSigned(names: string[], now: number, keyPem?: string) {
  const keyPair = keyPem
    ? {
        privateKey: keyPem,
        publicKey: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString(),
      }
    : undefined;
  const pems = await generate([{ name: 'commonName', value: hostname() }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS), // a device whose clock is a little behind still accepts it
    notAfterDate: new Date(now + SELF_SIGNED_DAYS * DAY_MS),
    ...(keyPair ? { keyPair } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });
  return { key: keyPem ?? pems.private, cert: pems.cert };
}

/** Writes through a temporary file, so a crash never leaves half a key or certificate. */
function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // whatever the umask
  renameSync(tmp, file);
}

/**
 * The self-signed key, or undefined when there is none or it is damaged (a worn SD card): a
 * damaged one is kept beside as `.damaged` and a new pair made, as for a missing key, rather than
 * refusing the start of the whole gateway (its alarm path included) over the gateway's own file.
 */
function ownKey(keyFile: string, log: Logger): string | undefined {
  if (!existsSync(keyFile)) return undefined;
  chmodSync(keyFile, 0o600); // a copy restored from a backup may have come back readable
  const key = readFileSync(keyFile, 'utf8');
  try {
    createPrivateKey(key);
    return key;
  } catch (err) {
    renameSync(keyFile, `${keyFile}.damaged`);
    log.error(
      { keyFile, kept: `${keyFile}.damaged`, reason: (err as Error).message },
      'self-signed TLS key damaged: a new key and certificate; devices that pinned the old one need the new certificate',
    );
    return undefined;
  }
}

/** The self-signed certificate if it parses and is of `key`, else undefined (it is remade with the key). */
function ownCertificate(cert: string, key: string): X509Certificate | undefined {
  try {
    const x509 = new X509Certificate(cert);
    return x509.checkPrivateKey(createPrivateKey(key)) ? x509 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The self-signed certificate in `<dataDir>/tls/`: generated on first start, reused after (its
 * fingerprint is what devices pin and staff compare), renewed with the same key when it nears its
 * end or lacks a configured name (clients that pin the key keep working).
 */
async function selfSigned(
  dataDir: string,
  configuredNames: string,
  now: number,
  log: Logger,
): Promise<TlsCredentials> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'gateway.crt');
  const keyFile = join(dir, 'gateway.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = selfSignedNames(configuredNames);
  const key = ownKey(keyFile, log);
  if (key && existsSync(certFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const x509 = ownCertificate(cert, key);
    if (x509) {
      const missing = names.configured.filter((n) => !covers(x509, n));
      const endsSoon = validTo(x509).getTime() - now < RENEW_BEFORE_DAYS * DAY_MS;
      if (!endsSoon && missing.length === 0) return credentials(x509, key, cert, 'self-signed', certFile);
      log.warn(
        { certFile, validTo: validTo(x509).toISOString(), missing, oldFingerprint: x509.fingerprint256 },
        'renewing the self-signed TLS certificate with the same key: clients that pinned the old certificate need the new one',
      );
    } else
      log.warn(
        { certFile },
        'self-signed TLS certificate damaged (not PEM, or not of its key): a new one with the same key',
      );
  } else if (!key) {
    if (existsSync(certFile))
      log.warn({ certFile, keyFile }, 'self-signed TLS key missing: a new key and certificate');
  }
  const generated = await generateSelfSigned(names.all, now, key);
  if (!key) writeAtomically(keyFile, generated.key, 0o600);
  writeAtomically(certFile, generated.cert, 0o644);
  const { x509 } = checked(generated.cert, generated.key, { cert: certFile, key: keyFile });
  log.info({ certFile, names: names.all }, 'generated a self-signed TLS certificate');
  return credentials(x509, generated.key, generated.cert, 'self-signed', certFile);
}

/**
 * The certificate of the HTTPS and MQTT-over-TLS listeners: the configured files, checked (a
 * missing file or a key of another certificate refuses the start with a `path: message` line), or
 * the self-signed one.
 */
export async function loadTlsCredentials(opts: {
  config: Pick<GatewayConfig, 'tls' | 'dataDir'>;
  now: () => number;
  log: Logger;
}): Promise<TlsCredentials> {
  const { tls, dataDir } = opts.config;
  const found = tls.certFile
    ? (() => {
        const cert = readPem('tls.certFile', tls.certFile);
        const key = readPem('tls.keyFile', tls.keyFile);
        const { x509 } = checked(cert, key, { cert: 'tls.certFile', key: 'tls.keyFile' });
        return credentials(x509, key, cert, 'configured', tls.certFile);
      })()
    : await selfSigned(dataDir, tls.selfSignedNames, opts.now(), opts.log);
  const { fingerprint, source, validTo, certFile } = found;
  if (Date.parse(validTo) < opts.now())
    opts.log.error(
      { certFile, validTo },
      'the TLS certificate has expired: devices and browsers will refuse it',
    );
  opts.log.info({ fingerprint, source, validTo, certFile }, 'TLS certificate (SHA-256 fingerprint)');
  return found;
}
