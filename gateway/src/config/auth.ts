import { Type } from '@sinclair/typebox';

/** Staff console logins: sessions (gateway/src/auth/). Failed logins follow `logins`, as MQTT's do. */
export const AuthSettings = Type.Object(
  {
    sessionIdleH: Type.Number({
      minimum: 0.1,
      maximum: 168,
      default: 12,
      description: 'A console session unused for this many hours ends (a shift and a little more).',
    }),
    sessionMaxDays: Type.Number({
      minimum: 0.1,
      maximum: 90,
      default: 7,
      description: 'A console session ends this many days after its login, used or not.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Staff console accounts and sessions.' },
);
