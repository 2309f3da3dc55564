import { describe, expect, it } from 'vitest';
import { AtReader } from '../../src/sms/at-reader.js';

function reader() {
  const seen: string[] = [];
  const r = new AtReader(
    (line) => seen.push(line),
    () => seen.push('<prompt>'),
  );
  const push = (...chunks: string[]) => {
    for (const c of chunks) r.push(Buffer.from(c, 'latin1'));
  };
  return { r, seen, push };
}

describe('reading what a modem says', () => {
  it('splits lines on CR LF, a bare CR or LF, in any chunks, skipping empty lines', () => {
    const { seen, push } = reader();
    push('\r\nO', 'K\r', '\n\r\n+CMTI: "SM",3\n', 'RING\r\r\n');
    expect(seen).toEqual(['OK', '+CMTI: "SM",3', 'RING']);
  });

  it('takes "> " without a line ending for the prompt only while one is awaited, even split in two', () => {
    const { r, seen, push } = reader();
    push('\r\n> ');
    expect(seen).toEqual([]); // not awaited: it waits for a line ending like any text
    push('\r\n');
    expect(seen).toEqual(['>']);
    r.promptWanted = true;
    push('\r\n>');
    expect(seen).toEqual(['>', '<prompt>']);
    push(' \r\n+CMGS: 4\r\n'); // the space after the prompt leaves no empty line behind
    expect(seen).toEqual(['>', '<prompt>', '+CMGS: 4']);
    expect(r.promptWanted).toBe(false);
  });

  it('drops a line of noise that never ends instead of growing without bound', () => {
    const { seen, push } = reader();
    push('x'.repeat(2000));
    push('\r\nOK\r\n');
    expect(seen).toEqual(['OK']);
  });
});
