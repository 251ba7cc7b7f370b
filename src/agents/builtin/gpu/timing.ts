/** min / median / max of repeated runs in ms (kept to the nanosecond); never invented when there are none. */
export interface TimingStats {
  runs: number;
  min: number;
  median: number;
  max: number;
  samples: number[];
}

const round = (ms: number) => Math.round(ms * 1e6) / 1e6;

export function timingStats(samplesMs: readonly number[]): TimingStats {
  if (samplesMs.length === 0) throw new Error('timingStats needs at least one sample');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    runs: sorted.length,
    min: round(sorted[0]!),
    median: round(median),
    max: round(sorted.at(-1)!),
    samples: samplesMs.map(round),
  };
}

/** `1.25 ms`, or `3.2 µs` for what a millisecond rounds away. */
export function formatMs(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}
