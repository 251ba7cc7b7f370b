import { describe, expect, it } from 'vitest';
import { WriteBatcher } from '../../src/core/index.js';

describe('WriteBatcher', () => {
  it('writes a lone item at once, and what arrives during a write in the next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new WriteBatcher<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = batcher.add(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects the items of a failed batch only, and idle() waits for everything added', async () => {
    let calls = 0;
    const written: string[] = [];
    const batcher = new WriteBatcher<string>(async (items) => {
      calls++;
      if (items.includes('bad')) throw new Error('refused');
      await new Promise((r) => setTimeout(r, 20));
      written.push(...items);
    });
    const bad = batcher.add('bad');
    const good = batcher.add('also in the bad batch');
    await expect(bad).rejects.toThrow('refused');
    await expect(good).rejects.toThrow('refused');
    void batcher.add('later');
    await batcher.idle();
    expect(written).toEqual(['later']);
    expect(calls).toBe(2);
  });
});
