import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadSiteFile } from '../../src/register/site-file.js';
import { mounts, ROOT, readCompose, withDefaults } from './compose-file.js';

// The vendored Compose Specification schema (deploy/compose-spec/README.md says from where).
const schema = JSON.parse(readFileSync(join(ROOT, 'deploy/compose-spec/compose-spec.json'), 'utf8'));
// Not our schema: its union types and untyped object keywords are fine, just not Ajv-strict.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
// The schema names draft-07 by its https address; Ajv knows the meta-schema by its http one.
ajv.addMetaSchema({ ...draft7, $id: schema.$schema });
const validate = ajv.compile(schema);

describe('docker-compose.yml', () => {
  const compose = readCompose();
  const { gateway, influxdb, grafana } = compose.services;

  it('is valid under the Compose Specification schema', () => {
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the validation can fail: a misspelt key or a wrong type is refused', () => {
    expect(validate({ ...compose, servics: {} })).toBe(false);
    const bad = structuredClone(compose);
    (bad.services.gateway as Record<string, unknown>).restart = ['always'];
    expect(validate(bad)).toBe(false);
  });

  it('runs the gateway from the Dockerfile, influxdb:2.7 and grafana, each with a health check', () => {
    expect(gateway!.build).toBe('.');
    expect(influxdb!.image).toBe('influxdb:2.7');
    expect(grafana!.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    for (const s of [gateway, influxdb, grafana]) expect(s!.healthcheck?.test.length).toBeGreaterThan(1);
    // Alarms never wait for InfluxDB: the gateway starts whatever state InfluxDB is in.
    expect(gateway!.depends_on).toBeUndefined();
  });

  it('the gateway config it mounts, with its environment, is a valid config forwarding to the influxdb service', () => {
    const env = Object.fromEntries(
      Object.entries(gateway!.environment!).map(([k, v]) => [k, withDefaults(v)]),
    );
    const files = mounts(gateway!);
    const config = loadConfig({ file: files.get(env.CAREEDGE_CONFIG!)!, env });
    expect(config.forwarding.influx).toMatchObject({ url: 'http://influxdb:8086', version: 2 });
    // Plain HTTP stays inside the container (its health check); the host reaches HTTPS.
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.http.tls).toMatchObject({ enabled: true, host: '0.0.0.0', port: 8443 });
    expect(config.mqtt.tls).toMatchObject({ enabled: true, port: 8883 });
    // HTTPS for the site network: the console's phones (the staff login is in place).
    expect(gateway!.ports).toEqual(expect.arrayContaining(['8883:8883', '8443:8443']));
    // The site it runs is the example site, mounted where the config looks.
    const site = loadSiteFile(files.get(config.siteFile)!);
    expect(site.site.id).toBe('sunrise');
    // Its data directory is a volume, so alerts and the outbox survive a new container.
    expect(gateway!.volumes).toContain(`gateway-data:${config.dataDir}`);
  });

  it('InfluxDB is set up with the org, bucket and token the gateway writes with and Grafana reads with', () => {
    const i = influxdb!.environment!;
    const g = gateway!.environment!;
    expect(i.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
    expect(g.CAREEDGE_FORWARDING__INFLUX__ORG).toBe(i.DOCKER_INFLUXDB_INIT_ORG);
    expect(g.CAREEDGE_FORWARDING__INFLUX__BUCKET).toBe(i.DOCKER_INFLUXDB_INIT_BUCKET);
    expect(g.CAREEDGE_FORWARDING__INFLUX__TOKEN).toBe(i.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
    // Grafana's InfluxQL database is the bucket's DBRP mapping, named after the bucket.
    expect(grafana!.environment!.INFLUX_DATABASE).toBe(i.DOCKER_INFLUXDB_INIT_BUCKET);
    expect(grafana!.environment!.INFLUX_TOKEN).toBe(i.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
    expect(grafana!.environment!.INFLUX_URL).toBe('http://influxdb:8086');
    // The InfluxDB password must be 8 characters or more, or its setup fails.
    expect(withDefaults(i.DOCKER_INFLUXDB_INIT_PASSWORD!).length).toBeGreaterThanOrEqual(8);
  });

  it('the DBRP init script is mounted and executable (the image runs only executable *.sh files)', () => {
    const dir = mounts(influxdb!).get('/docker-entrypoint-initdb.d')!;
    const script = join(dir, '10-careedge-dbrp.sh');
    expect(statSync(script).mode & 0o111).toBe(0o111);
    expect(readFileSync(script, 'utf8')).toContain('influx v1 dbrp create');
  });

  it('Grafana gets the dashboards provisioning folder', () => {
    expect(mounts(grafana!).get('/etc/grafana/provisioning')).toBe(join(ROOT, 'dashboards/provisioning'));
  });

  it('every named volume used is declared', () => {
    const used = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(new Set(used)).toEqual(new Set(Object.keys(compose.volumes ?? {})));
  });
});
