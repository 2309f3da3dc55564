import type { Face, KioskThanks, Reassurance } from '@careedge/edge';
import { type Clock, systemClock } from '../clock.js';
import type { CareButton } from '../devices/care-button.js';
import { Kiosk } from '../devices/kiosk.js';
import type { Wristband } from '../devices/wristband.js';
import { SerialWristband, WiredKiosk } from '../serial/serial-devices.js';
import { roomOf, type SimSite } from '../site/sim-site.js';
import { AlertBook, type AlertRecord, type AlertSummary } from './alert-book.js';
import {
  describeDecision,
  describeDispatch,
  describeReassurance,
  describeResult,
  describeStep,
  describeThanks,
  describeWithdrawal,
} from './describe.js';
import { closeFleet, connectFleet, createFleet, type Fleet } from './fleet.js';
import { checkAgainstSite, type Scenario, ScenarioError, type Step } from './scenario.js';
import { Timeline } from './timeline.js';

export interface RunOptions {
  scenario: Scenario;
  site: SimSite;
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  url: string;
  /** With an mqtts:// url: the certificate to trust (see SimClientOptions.caFile). */
  caFile?: string;
  clock?: Clock;
  heartbeatS?: number | false;
  /** Keep listening this long after everything closed, for the last withdrawals and reassurances. */
  settleMs?: number;
  /** The base station's end of a serial line, for the devices `via` a base station (see FleetOptions). */
  serialPath?: string;
  /** Each timeline line as it happens (the demo prints them live). */
  onLine?: (line: string) => void;
}

export interface ScenarioReport {
  name: string;
  timeline: Timeline;
  alerts: AlertRecord[];
  summary: AlertSummary & { durationMs: number; timedOut: boolean };
}

/**
 * Runs a scenario against a gateway: connects every device and handset of the site, fires the
 * steps on time, lets the handsets' behaviours answer the dispatches, and records what everyone
 * saw. Finishes when every alarm step reached a handset and every alert is closed, or at the
 * scenario's timeout.
 */
export async function runScenario(opts: RunOptions): Promise<ScenarioReport> {
  const { scenario, site } = opts;
  const clock = opts.clock ?? systemClock;
  const problems = checkAgainstSite(scenario, site);
  if (problems.length > 0) throw new ScenarioError(scenario.name, problems);

  const fleet = createFleet({
    site,
    url: opts.url,
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    clock,
    heartbeatS: opts.heartbeatS ?? 60,
    behaviourFor: (id) => scenario.handsets[id] ?? scenario.otherHandsets,
    ...(opts.serialPath ? { serialPath: opts.serialPath } : {}),
  });
  const unreachable = [...new Set(scenario.steps.map((s) => s.device))].filter(
    (id) => !fleet.devices.has(id),
  );
  if (unreachable.length > 0)
    throw new ScenarioError(
      scenario.name,
      unreachable.map(
        (id) => `${id}: talks through a serial base station; run with serialPath (npm run demo sets it up)`,
      ),
    );
  const timeline = new Timeline(clock, [...fleet.devices.keys(), ...fleet.handsets.keys()]);
  if (opts.onLine) timeline.onEntry((_, line) => opts.onLine!(line));
  const book = new AlertBook();
  let stepsDone = 0;
  let checkDone = () => {};
  observe(fleet, timeline, book, () => checkDone());

  await connectFleet(fleet);
  timeline.restart();
  const startedAt = clock.now();
  const timers: unknown[] = [];
  const finished = new Promise<boolean>((resolve) => {
    let settling = false;
    checkDone = () => {
      if (settling || stepsDone < scenario.steps.length || !book.settled) return;
      settling = true;
      timers.push(clock.setTimeout(() => resolve(false), opts.settleMs ?? 500));
    };
    timers.push(clock.setTimeout(() => resolve(true), scenario.timeoutMs));
  });
  for (const step of scenario.steps) {
    timers.push(
      clock.setTimeout(() => {
        fireStep(fleet, site, step, timeline, book);
        stepsDone++;
        checkDone();
      }, step.atMs),
    );
  }
  const timedOut = await finished;
  for (const t of timers) clock.clearTimeout(t);
  await closeFleet(fleet);
  return {
    name: scenario.name,
    timeline,
    alerts: [...book.alerts.values()],
    summary: { ...book.summary(), durationMs: clock.now() - startedAt, timedOut },
  };
}

function fireStep(fleet: Fleet, site: SimSite, step: Step, timeline: Timeline, book: AlertBook): void {
  const device = fleet.devices.get(step.device)!;
  const entry = site.devices.find((d) => d.id === step.device)!;
  const room = roomOf(site, entry);
  book.expect(
    `${step.device} ${step.do} at +${step.atMs / 1000}s`,
    step.do,
    {
      ...(room ? { room: room.name } : {}),
      ...(entry.residentId ? { residentId: entry.residentId } : {}),
    },
    step.raises,
  );
  const serial = device instanceof SerialWristband || device instanceof WiredKiosk ? ', by serial' : '';
  timeline.add(step.device, `${describeStep(step)} (seq ${device.nextSeq}${serial})`, 'step');
  // The step was checked against the device's kind (ACTION_DEVICE): each does what it can.
  const band = device as Pick<Wristband, 'nextSeq'> & {
    sos(): Promise<unknown>;
    fall(confidence?: number): Promise<unknown>;
    offWrist(): Promise<unknown>;
  };
  const button = device as CareButton;
  const kiosk = device as { tap(face: Face, reason?: string): Promise<unknown> };
  const sent: Promise<unknown> = {
    sos: () => band.sos(),
    fall: () => band.fall(step.confidence),
    'off-wrist': () => band.offWrist(),
    call: () => button.call(step.source),
    'presence-on': () => button.presence(true),
    'presence-off': () => button.presence(false),
    cancel: () => button.cancel(),
    tap: () => kiosk.tap(step.face!, step.reason),
  }[step.do]();
  sent.catch((err: Error) => timeline.add(step.device, `could not send: ${err.message}`, 'problem'));
}

/** Wires every sim's events into the timeline and the alert book. */
function observe(fleet: Fleet, timeline: Timeline, book: AlertBook, changed: () => void): void {
  for (const [id, device] of fleet.devices) {
    const reassured = (r: Reassurance) => {
      timeline.add(id, describeReassurance(r), 'reassurance');
      changed();
    };
    const thanked = (t: KioskThanks) => timeline.add(id, describeThanks(t), 'reassurance');
    if (device instanceof SerialWristband || device instanceof WiredKiosk) {
      device.on('reassurance', reassured);
      device.on('thanks', thanked);
      continue;
    }
    (device as Wristband).on('reassurance', reassured);
    if (device instanceof Kiosk) device.on('thanks', thanked);
    device.on('invalid', (m) => timeline.add(id, `invalid ${m.channel}: ${m.errors.join('; ')}`, 'problem'));
    device.on('trouble', (err) => timeline.add(id, err.message, 'problem'));
  }
  for (const [id, station] of fleet.stations) {
    station.on('up', () => timeline.add(id, 'serial line up, logged in (hello ACKed)', 'step'));
    station.on('down', () => timeline.add(id, 'serial line gone (unplugged); frames wait', 'problem'));
    station.on('trouble', (err) => timeline.add(id, err.message, 'problem'));
  }
  for (const [id, handset] of fleet.handsets) {
    handset.on('dispatch', (d) => {
      book.onDispatch(d);
      timeline.add(id, describeDispatch(d), 'dispatch');
      changed();
    });
    handset.on('decision', (d) => {
      const what = describeDecision(d);
      if (what) timeline.add(id, what, 'policy');
    });
    handset.on('withdrawn', (w) => {
      book.onWithdrawn(w);
      timeline.add(id, describeWithdrawal(w), 'withdrawn');
      changed();
    });
    handset.on('result', (result, reply) => {
      // Delivery receipts are routine; only a refused one is worth a line.
      if (result.action !== 'received' || result.status !== 'ok') {
        timeline.add(id, describeResult(result, reply), result.status === 'ok' ? 'reply' : 'problem');
      }
      if (result.status === 'ok' && reply) {
        if (reply.action === 'ack') book.onAcknowledged(reply.alertId, id);
        if (reply.action === 'decline') book.onDeclined(reply.alertId);
        if (reply.action === 'resolve') book.onResolved(reply.alertId, reply.outcome);
      }
      changed();
    });
    handset.on('invalid', (m) => timeline.add(id, `invalid ${m.channel}: ${m.errors.join('; ')}`, 'problem'));
    handset.on('trouble', (err) => timeline.add(id, err.message, 'problem'));
  }
}
