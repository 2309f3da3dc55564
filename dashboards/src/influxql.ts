import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';

/** The datasource every panel queries (provisioning/datasources/influxdb.yaml gives it this uid). */
export const DATASOURCE = { type: 'influxdb', uid: 'careedge-influxdb' } as const;

/**
 * What a query must return for its panel to draw: these columns (besides `time`), one series per
 * combination of these tags. The panel query test checks every query against a real InfluxDB.
 */
export interface Shape {
  columns: readonly string[];
  tags?: readonly string[];
}

/** A raw InfluxQL target of Grafana's InfluxDB datasource (InfluxQL mode). */
export interface InfluxQLTarget extends Dataquery {
  refId?: string;
  datasource: typeof DATASOURCE;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
  /** Not in the JSON (not enumerable): the shape the panel query test expects. */
  readonly shape?: Shape;
}

/**
 * The foundation SDK has no InfluxDB query type, so this is one as its README shows for custom
 * queries. The expected shape rides along on the built target, invisible to JSON.stringify.
 */
export class InfluxQL implements Builder<Dataquery> {
  private readonly target: Omit<InfluxQLTarget, 'shape' | '_implementsDataqueryVariant'>;

  constructor(
    query: string,
    private readonly expected: Shape,
  ) {
    // Series named by their column (`AS "p90"`), not `measurement.column`, unless a panel says otherwise.
    this.target = {
      datasource: DATASOURCE,
      query,
      rawQuery: true,
      resultFormat: 'time_series',
      alias: '$col',
    };
  }

  refId(refId: string): this {
    this.target.refId = refId;
    return this;
  }

  alias(alias: string): this {
    this.target.alias = alias;
    return this;
  }

  /** Rows with their tags as columns (a table panel), instead of one time series per tag set. */
  table(): this {
    this.target.resultFormat = 'table';
    return this;
  }

  build(): InfluxQLTarget {
    const t = { ...this.target, _implementsDataqueryVariant() {} } as InfluxQLTarget;
    Object.defineProperty(t, 'shape', { value: this.expected, enumerable: false });
    return t;
  }
}

/** One query per letter, A, B, C …, as Grafana numbers them. */
export const refIds = (qs: InfluxQL[]): InfluxQL[] => qs.map((q, i) => q.refId(String.fromCharCode(65 + i)));
