// A worker thread of the load generator: its own event loop sends the telemetry of its share of
// the bands, so one loop's limit is not the generator's. The main thread talks to it with the
// messages below (see WorkerPump).
import { parentPort, workerData } from 'node:worker_threads';
import { type PumpOptions, TelemetryPump } from './telemetry-pump.js';

export type ToWorker = { cmd: 'connect' | 'start' | 'measure' | 'stop' | 'stats' | 'close'; id: number };
export type FromWorker =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: string }
  | { progress: number };

const pump = new TelemetryPump(workerData as PumpOptions);
const port = parentPort!;

port.on('message', async ({ cmd, id }: ToWorker) => {
  try {
    let result: unknown;
    if (cmd === 'connect')
      await pump.connect((done) => port.postMessage({ progress: done } satisfies FromWorker));
    else if (cmd === 'start') pump.start();
    else if (cmd === 'measure') pump.measure();
    else if (cmd === 'stop') pump.stop();
    else if (cmd === 'stats') result = pump.stats();
    else if (cmd === 'close') await pump.close();
    port.postMessage({ id, ok: true, result } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ id, ok: false, error: (err as Error).message } satisfies FromWorker);
  }
});
