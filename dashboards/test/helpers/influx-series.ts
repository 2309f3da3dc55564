export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Runs one InfluxQL statement and returns its series with their tags (the harness's rows drop them). */
export async function querySeries(url: string, db: string, q: string): Promise<Series[]> {
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ q }).toString(),
  });
  const body = (await res.json()) as { results?: { error?: string; series?: Series[] }[]; error?: string };
  const r = body.results?.[0];
  if (body.error || r?.error) throw new Error(`${q}\n→ ${body.error ?? r?.error}`);
  return r?.series ?? [];
}

/** Writes line protocol in batches of 5,000 lines, nanosecond timestamps. */
export async function writeLines(url: string, db: string, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 5000) {
    const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ns`, {
      method: 'POST',
      body: lines.slice(i, i + 5000).join('\n'),
    });
    if (res.status !== 204) throw new Error(`write: HTTP ${res.status} ${await res.text()}`);
  }
}
