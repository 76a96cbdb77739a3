import { describe, expect, it } from 'vitest';
import { heapGrowthFlag } from '../../src/ops/heap-growth.js';

describe('the heap growth bound', () => {
  it('is set when the operator gave none', () => {
    expect(heapGrowthFlag('', [])).toBe('--heap-growing-percent=30');
    expect(heapGrowthFlag('--max-old-space-size=512', ['--enable-source-maps'])).toBe('--heap-growing-percent=30');
  });

  it('leaves the operator’s own, in NODE_OPTIONS or in node’s arguments', () => {
    expect(heapGrowthFlag('--heap-growing-percent=80', [])).toBeNull();
    expect(heapGrowthFlag('', ['--heap-growing-percent=10'])).toBeNull();
    expect(heapGrowthFlag('--heap_growing_percent=50', [])).toBeNull();
  });
});
