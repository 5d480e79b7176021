import { describe, expect, it } from 'vitest';
import { nodeCheck } from '../../cli/platform/doctor.js';

describe('mlops doctor on the Node.js version', () => {
  it('passes the supported LTS lines, 22 and 24', () => {
    expect(nodeCheck('22.12.0')).toMatchObject({ ok: true, detail: 'Node.js 22.12.0' });
    expect(nodeCheck('24.21.0')).toMatchObject({ ok: true, detail: 'Node.js 24.21.0' });
  });

  it('reports 20 as past its end of life, and older as unsupported, with how to get 24 or 22', () => {
    const twenty = nodeCheck('20.20.2');
    expect(twenty.ok).toBe(false);
    expect(twenty.detail).toBe('Node.js 20.20.2 (past its end of life, 2026-04-30)');
    expect(twenty.fix).toMatch(/install Node\.js 24 or 22 \(LTS\)/);
    expect(nodeCheck('18.20.0')).toMatchObject({ ok: false, detail: 'Node.js 18.20.0' });
  });
});
