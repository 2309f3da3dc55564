import { Counter, type Registry } from 'prom-client';

export function feedbackMetrics(registry: Registry) {
  const registers = [registry];
  return {
    taps: new Counter({
      registers,
      name: 'careedge_feedback_taps_total',
      help: 'Kiosk taps: counted (stored feedback), filtered (button mashing), rejected (a reason not configured), unstored (the storage refused it; thanked all the same).',
      labelNames: ['result'] as const,
    }),
    followUps: new Counter({
      registers,
      name: 'careedge_feedback_bursts_total',
      help: 'Unhappy bursts at a kiosk, by what they did to its supervisor follow-up (opened, updated).',
      labelNames: ['followUp'] as const,
    }),
  };
}

export type FeedbackMetrics = ReturnType<typeof feedbackMetrics>;
