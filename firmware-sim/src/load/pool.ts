/**
 * Runs `task` for every item with at most `limit` running at once, in order of the items. Used to
 * connect thousands of simulated devices without opening thousands of TCP handshakes at the same
 * instant (which would measure the broker's accept queue, and is not how a site comes back up).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
  onDone?: (done: number, total: number) => void,
): Promise<{ failed: { item: T; error: Error }[] }> {
  const failed: { item: T; error: Error }[] = [];
  let nextIndex = 0;
  let done = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      const item = items[i]!;
      try {
        await task(item, i);
      } catch (err) {
        failed.push({ item, error: err as Error });
      }
      done++;
      onDone?.(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { failed };
}
