/**
 * The engine's deadlines: a min-heap of (at, key). Moving a deadline pushes a new entry and leaves
 * the old one to be skipped when it comes up (the caller checks it is still current), so a
 * telemetry message costs O(log n) and never a scan of 5,000 instances.
 */
export class Deadlines {
  private heap: { at: number; key: string }[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): number | undefined {
    return this.heap[0]?.at;
  }

  push(at: number, key: string): void {
    const h = this.heap;
    h.push({ at, key });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  /** The earliest entry if it is due by `now`. */
  popDue(now: number): { at: number; key: string } | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0]!.at > now) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  /** Drops entries that are no longer current (when stale ones pile up). */
  compact(isCurrent: (at: number, key: string) => boolean): void {
    const keep = this.heap.filter((e) => isCurrent(e.at, e.key));
    this.heap = [];
    for (const e of keep) this.push(e.at, e.key);
  }

  clear(): void {
    this.heap = [];
  }
}
