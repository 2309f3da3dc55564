import { pino } from 'pino';

export type Logger = pino.Logger;

/** JSON lines for services and journald; pretty and coloured when a person watches a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY): Logger {
  return pino({
    level,
    base: undefined,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
