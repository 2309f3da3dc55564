import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { AlertError } from '../../../alerts/errors.js';
import { AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';

const HOUR_MS = 3_600_000;
/** The longest range one answer covers: a month of hours per kiosk stays a small answer. */
const MAX_RANGE_DAYS = 31;

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const HappyIndexQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Start (ISO 8601, e.g. `2026-11-23T08:00:00Z`); default `to` − 24 h.',
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'End, exclusive (ISO 8601); default the end of the hour under way.',
      }),
    ),
    by: Type.Union([Type.Literal('kiosk'), Type.Literal('zone')], {
      default: 'kiosk',
      description: 'One row per kiosk, or per zone (its kiosks together), per bucket.',
    }),
    bucket: Type.Literal('hour', { default: 'hour', description: 'Bucket size: `hour` (UTC hours).' }),
  },
  { additionalProperties: false },
);

const HappyIndexBucket = Type.Object(
  {
    kiosk: Type.Optional(Type.String({ description: 'The kiosk (`by=kiosk`).' })),
    zone: Type.Optional(Type.String({ description: 'The zone (`by=zone`).' })),
    hour: Type.String({ description: 'Start of the hour, ISO 8601 UTC.' }),
    taps: Count('Counted taps (button mashing filtered out).'),
    happyIndex: Type.Union([Type.Number({ minimum: 1, maximum: 4 }), Type.Null()], {
      description:
        'Mean face score: very happy 4, happy 3, unhappy 2, very unhappy 1; null with no counted tap.',
    }),
    faces: Type.Object(
      {
        'very-happy': Count('Very happy taps.'),
        happy: Count('Happy taps.'),
        unhappy: Count('Unhappy taps.'),
        'very-unhappy': Count('Very unhappy taps.'),
      },
      { additionalProperties: false },
    ),
    filtered: Count('Taps filtered as button mashing (`feedback.mashWindowS`): not in the index.'),
  },
  { additionalProperties: false },
);

const HappyIndexBody = Type.Object(
  {
    from: Type.String({ description: 'Start of the range answered, ISO 8601.' }),
    to: Type.String({ description: 'End of the range answered (exclusive), ISO 8601.' }),
    by: Type.Union([Type.Literal('kiosk'), Type.Literal('zone')]),
    bucket: Type.Literal('hour'),
    buckets: Type.Array(HappyIndexBucket, {
      description: 'Hours with any tap, oldest first; within an hour by kiosk or zone id.',
    }),
  },
  { additionalProperties: false, description: 'The Happy Index per kiosk or zone and hour.' },
);

export type HappyIndexQuery = { by: 'kiosk' | 'zone'; from: number; to: number };
export type HappyIndexBucket = Static<typeof HappyIndexBucket>;

/** What the API needs of the feedback kiosks (feedback/happy-index.ts implements it). */
export interface HappyIndexReading {
  read(q: HappyIndexQuery): HappyIndexBucket[];
  now(): number;
}

/** A time of the query, in ms; `where` names the parameter in the error. */
function instant(value: string | undefined, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AlertError('invalid-request', `${where}: not a date-time (got "${value}")`);
  return ms;
}

/** The kiosks' Happy Index. Unauthenticated, as the whole API, until the console brings logins. */
export const feedbackRoutes: FastifyPluginAsyncTypebox<{ happyIndex: HappyIndexReading }> = async (
  app,
  { happyIndex },
) => {
  app.get(
    '/api/v1/feedback/happy-index',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'The Happy Index per kiosk or zone and hour',
        description: `Mean face score of the counted kiosk taps, with the taps per face and the taps filtered as button mashing, per kiosk (or zone) and UTC hour, for every hour [from, to) touches, each whole. At most ${MAX_RANGE_DAYS} days per request.`,
        tags: ['feedback'],
        querystring: HappyIndexQuery,
        response: {
          200: HappyIndexBody,
          400: ERROR_RESPONSES[400],
          ...AUTH_ERRORS.read,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req) => {
      const { by, bucket } = req.query;
      // By default up to the end of this hour, so the hour under way is in the answer.
      const to = instant(
        req.query.to,
        (Math.floor(happyIndex.now() / HOUR_MS) + 1) * HOUR_MS,
        'querystring/to',
      );
      const from = instant(req.query.from, to - 24 * HOUR_MS, 'querystring/from');
      if (from >= to)
        throw new AlertError('invalid-request', 'querystring/from: must be before querystring/to');
      if (to - from > MAX_RANGE_DAYS * 24 * HOUR_MS)
        throw new AlertError(
          'invalid-request',
          `querystring/from: at most ${MAX_RANGE_DAYS} days before querystring/to; ask in parts`,
        );
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        by,
        bucket,
        buckets: happyIndex.read({ by, from, to }),
      };
    },
  );
};
