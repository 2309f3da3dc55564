import type {
  Dispatch,
  HandsetReply,
  KioskThanks,
  Reassurance,
  ReplyResult,
  Withdrawal,
} from '@careedge/edge';
import type { AutopilotDecision } from '../devices/handset-autopilot.js';
import type { Step } from './scenario.js';

/** Timeline wording: short sentences a care manager can follow without knowing the protocol. */

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'sos':
      return 'SOS pressed';
    case 'fall':
      return step.confidence === undefined
        ? 'fall detected'
        : `fall detected (confidence ${step.confidence})`;
    case 'off-wrist':
      return 'band taken off the wrist';
    case 'call':
      return step.source === 'pull-cord' ? 'pull cord pulled (call)' : 'call button pressed';
    case 'presence-on':
      return 'staff presence set in the room';
    case 'presence-off':
      return 'staff presence cleared';
    case 'cancel':
      return 'call reset at the device (cancel)';
    case 'tap':
      return `kiosk tapped: ${step.face}${step.reason ? ` (${step.reason})` : ''}`;
  }
}

export function describeDispatch(d: Dispatch): string {
  const who = [d.residentName, d.room ?? d.homeRoom].filter(Boolean).join(', ') || d.zone;
  const count = d.count > 1 ? `, ${d.count} calls` : '';
  return `← dispatch #${d.alertId} ${d.kind} ${d.priority}, level ${d.level} (${d.reason}${count}): ${who}`;
}

export function describeWithdrawal(w: Withdrawal): string {
  const by = w.byStaffId ? ` by ${w.byStaffId}` : '';
  return `← withdrawn #${w.alertId} (${w.reason}${by})`;
}

export function describeResult(result: ReplyResult, reply: HandsetReply | undefined): string {
  let action: string = result.action;
  if (reply?.action === 'resolve') action = `resolve (${reply.outcome})`;
  if (reply?.action === 'handover') action = `handover to ${reply.to}`;
  if (reply?.action === 'decline' && reply.reason) action = `decline ("${reply.reason}")`;
  const status =
    result.status === 'ok'
      ? 'ok'
      : `error ${result.error?.code ?? ''}: ${result.error?.message ?? ''}`.trim();
  return `${action} #${result.alertId} → ${status}`;
}

export function describeThanks(t: KioskThanks): string {
  return `← "${t.text}"`;
}

export function describeReassurance(r: Reassurance): string {
  return `← "${r.text}" (#${r.alertId})`;
}

/** Only decisions that leave no other trace are worth a line: an ignored dispatch. */
export function describeDecision(d: AutopilotDecision): string | undefined {
  if (d.start === 'offer' && d.policy.mode === 'ignore') return `ignores dispatch #${d.alertId} (no answer)`;
  return undefined;
}
