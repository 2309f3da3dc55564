import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type AlertKind, CallSource, type DeviceKind, FACES, type Face, literalsOf } from '@careedge/edge';
import { parse as parseYaml } from 'yaml';
import type { HandsetBehaviour } from '../devices/handset-policy.js';
import type { SimSite } from '../site/sim-site.js';
import { parseDuration } from './duration.js';
import { parseBehaviour } from './parse-behaviour.js';

/** What a step makes a device do. */
export const ACTIONS = [
  'sos',
  'fall',
  'off-wrist',
  'call',
  'presence-on',
  'presence-off',
  'cancel',
  'tap',
] as const;
export type Action = (typeof ACTIONS)[number];

const CALL_SOURCES: readonly unknown[] = literalsOf(CallSource);
const isCallSource = (v: unknown): v is CallSource => CALL_SOURCES.includes(v);
const isFace = (v: unknown): v is Face => (FACES as readonly unknown[]).includes(v);

/** Which device kind can do each action: a wristband has no presence key, a button no fall sensor. */
export const ACTION_DEVICE: Record<Action, DeviceKind> = {
  sos: 'wristband',
  fall: 'wristband',
  'off-wrist': 'wristband',
  call: 'care-button',
  'presence-on': 'care-button',
  'presence-off': 'care-button',
  cancel: 'care-button',
  tap: 'kiosk',
};

export interface Step {
  atMs: number;
  device: string;
  do: Action;
  /** fall only: the band's detection confidence. */
  confidence?: number;
  /** call only: button or pull cord. */
  source?: CallSource;
  /** tap only: the face tapped, and perhaps a reason. */
  face?: Face;
  reason?: string;
  /** The alert this step should raise when the action alone does not say (a tap that makes a burst). */
  raises?: AlertKind;
}

export interface Scenario {
  name: string;
  /** Site file, resolved against the scenario file's folder; the caller may pass the site instead. */
  site?: string;
  /** Give up waiting for alerts to close after this long from the start. */
  timeoutMs: number;
  handsets: Record<string, HandsetBehaviour>;
  /** For staff the scenario does not name; default: ignore (a handset nobody looks at). */
  otherHandsets: HandsetBehaviour;
  steps: Step[];
  /** Devices that talk through a serial base station on a PTY pair in this run (the demo sets it up). */
  serial: string[];
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: the scenario is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const TOP_KEYS = new Set(['name', 'site', 'timeout', 'handsets', 'otherHandsets', 'steps', 'serial']);
const STEP_KEYS = new Set(['at', 'device', 'do', 'confidence', 'source', 'face', 'reason', 'raises']);

/** Reads a scenario YAML file; `site` in it is taken relative to the file. */
export function loadScenario(file: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(file, [`${(err as Error).message.split('\n')[0]}`]);
  }
  const scenario = parseScenario(doc, file);
  return scenario.site ? { ...scenario, site: resolve(dirname(file), scenario.site) } : scenario;
}

/**
 * Checks a scenario (parsed YAML or a TS object) and collects every problem as `path: message`,
 * e.g. `steps[2].do: unknown action "jump"`, so one run shows all that is wrong.
 */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const problems: string[] = [];
  if (!isObject(input)) throw new ScenarioError(source, ['(root): must be a mapping with steps']);
  for (const key of Object.keys(input)) {
    if (!TOP_KEYS.has(key)) problems.push(`${key}: unknown key (expected ${[...TOP_KEYS].join(', ')})`);
  }

  let timeoutMs = 120_000;
  if (input.timeout !== undefined) {
    const d = parseDuration(input.timeout);
    if ('error' in d) problems.push(`timeout: ${d.error}`);
    else timeoutMs = d.ms;
  }
  if (input.site !== undefined && typeof input.site !== 'string') problems.push('site: must be a file path');

  const handsets: Record<string, HandsetBehaviour> = {};
  if (input.handsets !== undefined && !isObject(input.handsets)) {
    problems.push('handsets: must map staff ids to behaviours');
  } else {
    for (const [staffId, raw] of Object.entries(input.handsets ?? {})) {
      const b = parseBehaviour(raw, `handsets.${staffId}`, problems);
      if (b) handsets[staffId] = b;
    }
  }
  const otherHandsets =
    input.otherHandsets === undefined
      ? ({ mode: 'ignore' } as const)
      : parseBehaviour(input.otherHandsets, 'otherHandsets', problems);

  const steps: Step[] = [];
  if (!Array.isArray(input.steps) || input.steps.length === 0) {
    problems.push('steps: must be a non-empty list');
  } else {
    input.steps.forEach((raw: unknown, i: number) => {
      const step = parseStep(raw, `steps[${i}]`, problems);
      if (step) steps.push(step);
    });
  }

  const serial = input.serial ?? [];
  if (!Array.isArray(serial) || serial.some((d) => typeof d !== 'string'))
    problems.push('serial: must be a list of device ids');

  if (problems.length > 0) throw new ScenarioError(source, problems);
  return {
    name: typeof input.name === 'string' ? input.name : source,
    ...(typeof input.site === 'string' ? { site: input.site } : {}),
    timeoutMs,
    handsets,
    otherHandsets: otherHandsets ?? { mode: 'ignore' },
    // Stable sort: steps at the same moment keep the order they were written in.
    steps: steps.sort((a, b) => a.atMs - b.atMs),
    serial: serial as string[],
  };
}

function parseStep(raw: unknown, where: string, problems: string[]): Step | undefined {
  if (!isObject(raw)) {
    problems.push(`${where}: must be a mapping like { at: 2s, device: wb-101, do: sos }`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!STEP_KEYS.has(key))
      problems.push(`${where}.${key}: unknown key (expected ${[...STEP_KEYS].join(', ')})`);
  }
  const at = parseDuration(raw.at);
  if ('error' in at) problems.push(`${where}.at: ${at.error}`);
  if (typeof raw.device !== 'string' || raw.device === '')
    problems.push(`${where}.device: missing device id`);
  const action = raw.do;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    const what = action === undefined ? 'missing action' : `unknown action ${JSON.stringify(action)}`;
    problems.push(`${where}.do: ${what} (one of ${ACTIONS.join(', ')})`);
  }
  if (raw.confidence !== undefined) {
    if (action !== 'fall') problems.push(`${where}.confidence: only a fall has a confidence`);
    else if (typeof raw.confidence !== 'number' || raw.confidence < 0 || raw.confidence > 1)
      problems.push(`${where}.confidence: must be a number from 0 to 1`);
  }
  if (raw.source !== undefined) {
    if (action !== 'call') problems.push(`${where}.source: only a call has a source`);
    else if (!isCallSource(raw.source))
      problems.push(`${where}.source: must be ${CALL_SOURCES.join(' or ')}`);
  }
  if (action === 'tap' && !isFace(raw.face))
    problems.push(`${where}.face: a tap needs a face (${FACES.join(', ')})`);
  if (action !== 'tap' && (raw.face !== undefined || raw.reason !== undefined))
    problems.push(`${where}: only a tap has a face and a reason`);
  if (raw.reason !== undefined && typeof raw.reason !== 'string')
    problems.push(`${where}.reason: must be a reason id`);
  if (raw.raises !== undefined && typeof raw.raises !== 'string')
    problems.push(`${where}.raises: must be an alert kind`);
  if (problems.length > before || 'error' in at) return undefined;
  return {
    atMs: at.ms,
    device: raw.device as string,
    do: action as Action,
    ...(typeof raw.confidence === 'number' ? { confidence: raw.confidence } : {}),
    ...(isCallSource(raw.source) ? { source: raw.source } : {}),
    ...(isFace(raw.face) ? { face: raw.face } : {}),
    ...(typeof raw.reason === 'string' ? { reason: raw.reason } : {}),
    ...(typeof raw.raises === 'string' ? { raises: raw.raises as AlertKind } : {}),
  };
}

/** Problems that only show against the site: unknown devices or staff, actions a device lacks. */
export function checkAgainstSite(scenario: Scenario, site: SimSite): string[] {
  const problems: string[] = [];
  const devices = new Map(site.devices.map((d) => [d.id, d]));
  const staff = new Set(site.staff.map((s) => s.id));
  scenario.steps.forEach((step, i) => {
    const device = devices.get(step.device);
    if (!device) problems.push(`steps[${i}].device: no device "${step.device}" in site ${site.id}`);
    else if (device.kind !== ACTION_DEVICE[step.do])
      problems.push(
        `steps[${i}].do: "${step.do}" needs a ${ACTION_DEVICE[step.do]}; ${device.id} is a ${device.kind}`,
      );
  });
  scenario.serial.forEach((id, i) => {
    if (!devices.has(id)) problems.push(`serial[${i}]: no device "${id}" in site ${site.id}`);
  });
  for (const id of Object.keys(scenario.handsets)) {
    if (!staff.has(id)) problems.push(`handsets.${id}: no staff member "${id}" in site ${site.id}`);
  }
  return problems;
}
