/**
 * Merges streams that are each in time order into one, in time order, holding one item per
 * stream (a binary heap): 30 bands' fortnights go out as one stream without being collected.
 * Ties go to the lower stream index, so the merged order is fully determined.
 */
export function* mergeByTime<T extends { ts: number }>(streams: Iterable<T>[]): Generator<T> {
  const heads: { item: T; index: number; rest: Iterator<T> }[] = [];
  const before = (a: (typeof heads)[number], b: (typeof heads)[number]) =>
    a.item.ts < b.item.ts || (a.item.ts === b.item.ts && a.index < b.index);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && before(heads[l]!, heads[m]!)) m = l;
      if (r < heads.length && before(heads[r]!, heads[m]!)) m = r;
      if (m === i) return;
      [heads[i], heads[m]] = [heads[m]!, heads[i]!];
      i = m;
    }
  };
  streams.forEach((stream, index) => {
    const rest = stream[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) heads.push({ item: first.value, index, rest });
  });
  for (let i = Math.floor(heads.length / 2) - 1; i >= 0; i--) siftDown(i);
  while (heads.length > 0) {
    const top = heads[0]!;
    yield top.item;
    const next = top.rest.next();
    if (next.done) {
      heads[0] = heads[heads.length - 1]!;
      heads.pop();
    } else {
      top.item = next.value;
    }
    siftDown(0);
  }
}
