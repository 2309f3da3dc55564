/**
 * The node (V8) flags the gateway runs with: `npm start`, the systemd unit (deploy/), the
 * Dockerfile and the bench pass them to node, and tests keep them the same.
 *
 * - `--max-semi-space-size=4`: 4 MB young-generation semi-spaces instead of 16. A scavenge's pause
 *   grows with what is alive in them, and at 20,000 msg/s that is the messages in flight.
 * - `--heap-growing-percent=50`: the old generation may grow to 1.5× what survived the last full
 *   collection before the next one. V8 picks its own factor from the machine's memory: up to 4×
 *   with 24 GB, so 5,000 connections' ~80 MB of live heap swelled to ~250 MB between collections
 *   (on a Pi with 1–2 GB, V8 would choose 1.3–1.6× itself).
 *
 * Measured with the bench on the 2-core machine, 2026-11-23, quiet, lean generator (2 runs each):
 * 5,000 bands × 1 msg/s: peak RSS 346–353 → 195–212 MiB, alarm p99 8–33 → 7–9 ms; 5,000 × 4 msg/s:
 * peak RSS 349–357 → 206–219 MiB, alarm p99 168–191 → 46–67 ms. A growth of 30% (189–195 MiB at
 * 5,000 × 1) made full collections so frequent at 20,000 msg/s that the event loop stalled for 1 s
 * (p99 910 ms); `--max-semi-space-size=1 --heap-growing-percent=15` had done the same (45% of the
 * gateway's CPU in the collector). Alarms first: 50% is where memory stops being bought with stalls.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50'];
