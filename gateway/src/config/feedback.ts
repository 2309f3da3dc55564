import { IdPattern } from '@careedge/edge';
import { Type } from '@sinclair/typebox';

const Reason = Type.Object(
  {
    id: Type.String({ pattern: IdPattern, description: 'What the kiosk sends as `reason`.' }),
    label: Type.String({ minLength: 1, maxLength: 60, description: 'What the kiosk and the reports show.' }),
  },
  { additionalProperties: false },
);

/** Feedback kiosks: taps, the Happy Index and unhappy bursts (gateway/src/feedback/). */
export const FeedbackSettings = Type.Object(
  {
    reasons: Type.Array(Reason, {
      maxItems: 16,
      default: [
        { id: 'food', label: 'Food' },
        { id: 'noise', label: 'Noise' },
        { id: 'waiting', label: 'Waiting' },
        { id: 'cleanliness', label: 'Cleanliness' },
        { id: 'staff', label: 'Staff' },
        { id: 'other', label: 'Other' },
      ],
      description:
        'The reasons a kiosk offers after a face (at most 16, as the kiosk configuration carries). A tap naming a reason not listed is refused and counted.',
    }),
    mashWindowS: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 3,
      description:
        "Button mashing: a tap within this many seconds of the same kiosk's previous tap (counted or filtered) is filtered — counted per kiosk and hour, thanked, not stored as feedback. Someone choosing a face and a reason, and the next person stepping up, take longer than 3 s; a hand drumming on the keys taps several times a second, and stays filtered for as long as it drums. 0: no filter.",
    }),
    burst: Type.Object(
      {
        windowMin: Type.Integer({
          minimum: 1,
          maximum: 1440,
          default: 15,
          description: 'Minutes of taps at one kiosk an unhappy burst is judged over.',
        }),
        minTaps: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 4,
          description: 'Counted taps the window must hold before it can be a burst.',
        }),
        unhappyShare: Type.Number({
          minimum: 0.01,
          maximum: 1,
          default: 0.5,
          description:
            'Share of unhappy and very-unhappy taps in the window that makes a burst: it opens a supervisor follow-up.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          "An unhappy burst at one kiosk (the kiosk industry's default trigger: ≥ 50% unhappy within 15 min with at least 4 taps). Taps already in a burst do not count towards the next one.",
      },
    ),
    followUpDeadlineH: Type.Number({
      minimum: 1,
      maximum: 720,
      default: 24,
      description:
        'A follow-up is due this many hours after it opened (recorded on the alert as `dueAt`); one still open then is sent to the supervisors on shift again.',
    }),
    thanksText: Type.String({
      minLength: 1,
      maxLength: 160,
      default: 'Thank you for telling us.',
      description: 'What the kiosk shows after every tap (a filtered one too).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Feedback kiosks.' },
);
