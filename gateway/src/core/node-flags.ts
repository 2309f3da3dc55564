/**
 * The node (V8) flags the gateway runs with: `npm start`, the systemd unit (deploy/), the
 * Dockerfile and the bench pass them to node, and tests keep them the same.
 *
 * - `--max-semi-space-size=4`: 4 MB young-generation semi-spaces instead of 16. A scavenge's pause
 *   grows with what is alive in them, and at 20,000 msg/s that is the messages in flight.
 * - `--heap-growing-percent=35`: the old generation may grow to 1.35× what survived the last full
 *   collection before the next one. V8 picks its own factor from the machine's memory: up to 4×
 *   with 24 GB, so 5,000 connections' ~80 MB of live heap swelled to ~250 MB between collections
 *   (on a Pi with 1–2 GB, V8 would choose 1.3–1.6× itself).
 *
 * Measured with the bench on the 2-core machine, 2026-11-23, quiet, lean generator: first with
 * 50 %: 5,000 bands × 1 msg/s peak RSS 346–353 → 195–212 MiB, 5,000 × 4 349–357 → 206–219 MiB. Then
 * a growth of 30 % made full collections so frequent at 20,000 msg/s that the event loop stalled
 * for 1 s (p99 910 ms), and `--max-semi-space-size=1 --heap-growing-percent=15` had done the same
 * (45 % of the gateway's CPU in the collector). Once the broker made a third less garbage
 * (broker/lean-packets.ts, parseLean), 35 % costs nothing measurable at 20,000 msg/s (A/B in one
 * sitting, 16:55–17:05: CPU 53–55 % vs 56 %, alarm p99 8–21 ms vs 10 ms) and takes 5,000 × 1 to
 * 189–195 MiB (4 runs; 205 with 50 %), 5,000 × 4 to 198 MiB (210). 30 % gave a p99 of 41 ms at
 * 20,000 msg/s in its one run: alarms first, so 35.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=35'];
