import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/config/reference.js';

describe('configuration reference', () => {
  it('docs/configuration.md is up to date with the schema (run `npm run docs:config`)', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigReference());
  });

  it('documents every setting with its environment variable and default', () => {
    const doc = renderConfigReference();
    expect(doc).toContain(
      '| `dispatch.ackTimeoutS.high` | `CAREEDGE_DISPATCH__ACK_TIMEOUT_S__HIGH` | integer | `30` |',
    );
    expect(doc).toContain('`high` \\| `medium` \\| `low`');
  });
});
