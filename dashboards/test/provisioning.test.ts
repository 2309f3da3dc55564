import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOARDS, BOARDS_DIR, boardJson } from '../src/index.js';
import { DATASOURCE } from '../src/influxql.js';
import { queryPanels, targetsOf } from './helpers/grafana-macros.js';

const root = join(import.meta.dirname, '..');
/** Grafana's interpolation of an environment variable in a provisioning file. */
const env = (name: string) => `\${${name}}`;

describe('generated dashboards', () => {
  it('the committed JSON is what `npm run dashboards` writes (run it after changing a dashboard)', () => {
    const dir = join(root, BOARDS_DIR);
    const committed = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed).toEqual(
      Object.keys(BOARDS)
        .map((n) => `${n}.json`)
        .sort(),
    );
    for (const [name, build] of Object.entries(BOARDS))
      expect(readFileSync(join(dir, `${name}.json`), 'utf8'), `${name}.json is stale`).toBe(boardJson(build));
  });

  it('uids are unique and every query goes to the provisioned datasource', () => {
    const boards = Object.values(BOARDS).map((b) => b().build());
    expect(new Set(boards.map((b) => b.uid)).size).toBe(boards.length);
    for (const b of boards)
      for (const p of queryPanels(b))
        for (const t of targetsOf(p)) {
          expect(t.datasource).toEqual(DATASOURCE);
          expect(t.rawQuery).toBe(true);
        }
  });
});

describe('provisioning files', () => {
  it('the datasource has the uid the dashboards use, InfluxQL, and every setting from the environment', () => {
    const doc = parse(readFileSync(join(root, 'provisioning/datasources/influxdb.yaml'), 'utf8'));
    const [ds] = doc.datasources;
    expect(doc.datasources).toHaveLength(1);
    expect({ uid: ds.uid, type: ds.type }).toEqual(DATASOURCE);
    expect(ds.jsonData.version).toBe('InfluxQL');
    expect(ds.url).toBe(env('INFLUX_URL'));
    expect(ds.jsonData.dbName).toBe(env('INFLUX_DATABASE'));
    expect(ds.secureJsonData.httpHeaderValue1).toBe(`Token ${env('INFLUX_TOKEN')}`);
  });

  it('the dashboard provider reads the folder the JSON is written to, where docker-compose mounts it', () => {
    const doc = parse(readFileSync(join(root, 'provisioning/dashboards/careedge.yaml'), 'utf8'));
    expect(doc.providers[0].options.path).toBe(`/etc/grafana/${BOARDS_DIR}`);
  });
});
