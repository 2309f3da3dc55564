import { Worker } from 'node:worker_threads';
import type { PumpOptions, PumpStats } from './telemetry-pump.js';
import type { FromWorker, ToWorker } from './telemetry-worker.js';

/**
 * A TelemetryPump in a worker thread, driven from the main thread: the same methods, as promises.
 * The worker runs TypeScript through tsx, as the bench itself does (registered in its boot file).
 */
export class WorkerPump {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private onProgress: ((done: number) => void) | undefined;

  constructor(opts: Omit<PumpOptions, 'random' | 'clock'>) {
    this.worker = new Worker(new URL('./telemetry-worker-boot.mjs', import.meta.url), { workerData: opts });
    this.worker.on('message', (m: FromWorker) => {
      if ('progress' in m) return this.onProgress?.(m.progress);
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    });
    this.worker.on('error', (err) => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** The error that ended the worker, if one did: every later call fails with it, none hangs. */
  private failed: Error | undefined;

  private call<T>(cmd: ToWorker['cmd']): Promise<T> {
    const id = this.nextId++;
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ cmd, id } satisfies ToWorker);
    });
  }

  connect(onProgress?: (done: number) => void): Promise<void> {
    this.onProgress = onProgress;
    return this.call('connect');
  }
  start(): Promise<void> {
    return this.call('start');
  }
  measure(): Promise<void> {
    return this.call('measure');
  }
  stop(): Promise<void> {
    return this.call('stop');
  }
  stats(): Promise<PumpStats> {
    return this.call('stats');
  }
  async close(): Promise<void> {
    await this.call('close').catch(() => undefined);
    await this.worker.terminate();
  }
}
