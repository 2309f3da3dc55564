/**
 * The node (V8) flags the gateway runs with: `npm start`, the systemd unit (deploy/) and the bench
 * pass them to node, and a test keeps the three the same. None today, on measurement (bench, 2-core
 * machine, 2026-11-23):
 *
 * `--max-semi-space-size=1 --heap-growing-percent=15` (1 MB young-generation semi-spaces, the old
 * generation at most 15% above what survived the last full collection) brought the peak RSS at
 * 5,000 bands × 1 msg/s from 342-355 MiB to 179-183 MiB (9 runs), start-up included: the live heap
 * is ~75 MB, and V8's default growth lets the old generation swell to ~250 MB between full
 * collections. But at 5,000 × 4 msg/s the same flags made the collector 45% of the gateway's CPU
 * (14-17% without them): the gateway saturated a core and alarms waited over a second.
 * `--optimize-for-size` did the same for memory (172-179 MiB) with 'reduce' full collections
 * pausing ~11 ms each. Alarms first: a smaller heap is not worth a collector that thrashes under load.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [];
