import { Priority } from '@careedge/edge';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Building blocks of the rule kinds' parameter schemas, so every kind describes seconds and
 * priorities alike in the rules file's JSON Schema and docs.
 */

/** A duration in whole seconds, at most a day (an engine timer beyond ~24.8 days fires at once in Node). */
export const secondsParam = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 86_400, default: def, description });

/** A priority after IEC 60601-1-8 (the protocol's own type): high latches until acknowledged. */
export const priorityParam = (def: Priority, description: string) => ({
  ...Priority,
  default: def,
  description,
});

const RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2 };

/** Whether `a` is a higher priority than `b`. */
export const outranks = (a: Priority, b: Priority): boolean => RANK[a] > RANK[b];

/** A kind's parameters with every default filled from its schema: the one place defaults live. */
export const defaultsOf = <T extends TSchema>(schema: T): Static<T> => Value.Default(schema, {}) as Static<T>;
