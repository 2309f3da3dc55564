import { type IncomingMessage, request } from 'node:http';
import { expect } from 'vitest';
import type { TestGateway } from './gateway.js';

interface SseEvent {
  event: string;
  id?: number;
  data: { alerts?: { id: number }[]; alert?: { id: number; state: string }; action?: string; actor?: string };
}

/** An open event stream over real HTTP, read as it comes: its events and comments so far, and a wait for more. */
export async function openStream(
  g: TestGateway,
  who: { cookie: string },
  headers: Record<string, string> = {},
) {
  // One socket per stream, as each browser tab has.
  const req = request({
    host: '127.0.0.1',
    port: g.gateway.httpPort,
    path: '/api/v1/events',
    headers: { cookie: who.cookie, ...headers },
    agent: false,
  });
  req.on('error', () => {});
  req.end();
  const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
  let text = '';
  let ended = false;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
  });
  res.on('close', () => {
    ended = true;
  });
  const events = (): SseEvent[] =>
    text
      .split('\n\n')
      .filter((f) => f.includes('data: '))
      .map((frame) => {
        const field = (name: string) =>
          frame
            .split('\n')
            .find((l) => l.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        const id = field('id');
        return {
          event: field('event')!,
          ...(id ? { id: Number(id) } : {}),
          data: JSON.parse(field('data')!),
        };
      });
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };
  return {
    status: res.statusCode,
    headers: res.headers,
    events,
    text: () => text,
    ended: () => ended,
    until,
    close: () => req.destroy(),
  };
}
