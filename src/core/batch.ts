/**
 * Writes items in batches without waiting for a batch to fill: the first item starts a write
 * (after the current tick, so what arrives together goes together), and what arrives while a
 * write runs goes in the next one. Alone, an item waits for nothing; under load, many share
 * one round trip. `add` resolves once its item is written, or rejects with its batch's error.
 */
export class WriteBatcher<T> {
  private pending: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.running ??= Promise.resolve().then(() => this.drain());
    });
  }

  /** Resolves when everything added so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      try {
        await this.write(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = null;
  }
}
