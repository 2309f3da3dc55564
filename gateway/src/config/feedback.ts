import { Type } from '@sinclair/typebox';

/** Feedback kiosks: taps, the Happy Index and unhappy bursts (gateway/src/feedback/). */
export const FeedbackSettings = Type.Object(
  {},
  { additionalProperties: false, default: {}, description: 'Feedback kiosks.' },
);
