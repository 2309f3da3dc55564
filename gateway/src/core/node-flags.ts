/**
 * The V8 flags the gateway runs with: `npm start`, the systemd unit (deploy/) and the bench pass
 * them to node (a test keeps the three the same). They trade a little CPU for memory, so 5,000
 * bands fit a peak RSS of 200 MiB on a Raspberry Pi:
 *
 * - `--max-semi-space-size=1`: young-generation semi-spaces of 1 MB instead of up to 16 MB. A
 *   young-generation collection costs what survives it, not the space's size: telemetry is
 *   garbage within a turn, so collecting more often costs little.
 * - `--heap-growing-percent=15`: the old generation may grow 15% beyond what survived the last
 *   full collection before the next one, instead of up to 4 times that. The heap's live size
 *   with 5,000 connections is ~75 MB; with the default the heap swelled to ~250 MB between full
 *   collections (bench, 5,000 bands at 1 msg/s: peak RSS 354 MiB without the flags, 183 with them).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=15'];
