// found by probing: the gateway's own self-signed pair in <dataDir>/tls/, damaged on disk (a worn
// SD card, a bad restore), refused the start of the whole gateway, alarm path included: an empty
// or garbled certificate as "not a PEM certificate", and a garbled key with no certificate as a
// bare "error:1E08010C:DECODER routines::unsupported" that named no file. A missing key already
// made a new pair; now a damaged certificate is remade with the same key (pins on the key keep
// working), and a damaged key is kept aside as `.damaged` and a new pair made, said in the log.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadTlsCredentials } from '../../src/core/tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const load = (dataDir: string) =>
  loadTlsCredentials({
    config: loadConfig({ overrides: { dataDir, tls: {} } }),
    now: () => NOW,
    log: silentLogger(),
  });
const publicKeyOf = (pem: string) =>
  new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');

describe("the gateway's own self-signed pair, damaged on disk", () => {
  it('a certificate that is empty or garbled is remade with the same key', async () => {
    for (const damaged of ['', '-----BEGIN CERTIFICATE-----\ngarbled\n-----END CERTIFICATE-----\n']) {
      const dir = makeTempDir();
      const first = await load(dir);
      writeFileSync(join(dir, 'tls', 'gateway.crt'), damaged);
      const again = await load(dir);
      expect(again.key).toBe(first.key);
      expect(publicKeyOf(again.cert)).toBe(publicKeyOf(first.cert));
      expect(readFileSync(join(dir, 'tls', 'gateway.crt'), 'utf8')).toBe(again.cert);
    }
  });

  it('a key that is garbled (with or without its certificate) is kept aside and a new pair made', async () => {
    for (const withCert of [true, false]) {
      const dir = makeTempDir();
      const first = await load(dir);
      const keyFile = join(dir, 'tls', 'gateway.key');
      writeFileSync(keyFile, 'garbage');
      if (!withCert) writeFileSync(join(dir, 'tls', 'gateway.crt'), '');
      const again = await load(dir);
      expect(again.key).not.toBe(first.key);
      expect(readFileSync(`${keyFile}.damaged`, 'utf8')).toBe('garbage');
      expect(readFileSync(keyFile, 'utf8')).toBe(again.key);
      expect(new X509Certificate(again.cert).checkPrivateKey(createPrivateKey(again.key))).toBe(true);
      expect(existsSync(join(dir, 'tls', 'gateway.crt'))).toBe(true);
    }
  });
});
