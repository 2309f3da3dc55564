import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/index.js';
import { anchorOf, EXAMPLE_FRAME, renderSerialProtocolDoc } from '../src/serial/reference.js';

const docs = new URL('../../docs/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, docs), 'utf8');

describe('docs/serial-protocol.md', () => {
  it('is up to date with edge/src/serial (run `npm run docs:serial`)', () => {
    expect(read('serial-protocol.md')).toBe(renderSerialProtocolDoc());
  });

  it('links only sections docs/wire-protocol.md has', () => {
    const headings = new Set(
      read('wire-protocol.md')
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => anchorOf(l.replace(/^#+ /, ''))),
    );
    const anchors = [...renderSerialProtocolDoc().matchAll(/\(wire-protocol\.md#([^)]+)\)/g)].map(
      (m) => m[1]!,
    );
    expect(anchors.length).toBeGreaterThan(9);
    for (const anchor of anchors) expect(headings, anchor).toContain(anchor);
  });

  it('shows a worked example that decodes to the frame it describes', () => {
    const line = renderSerialProtocolDoc().match(/```text\n(c0 01 11 [0-9a-f ]+)\n```/)![1]!;
    const results = new FrameDecoder().push(Buffer.from(line.replaceAll(' ', ''), 'hex'));
    expect(results).toEqual([{ ok: true, frame: EXAMPLE_FRAME, bytes: 42 }]);
  });

  it('is linked from docs/wire-protocol.md', () => {
    expect(read('wire-protocol.md')).toContain('](serial-protocol.md)');
  });
});
