/**
 * Hands items from concurrent producers to one async-iterating consumer. Producers wait while
 * `highWater` items are buffered, so a slow consumer slows the crawl instead of growing memory.
 */
export class Channel<T> {
  private readonly buffer: T[] = [];
  private consumer: (() => void) | undefined;
  private producers: (() => void)[] = [];
  private closed = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly highWater = 64) {}

  async push(item: T): Promise<void> {
    if (this.closed) return;
    this.buffer.push(item);
    this.wakeConsumer();
    if (this.buffer.length >= this.highWater) await new Promise<void>((resolve) => this.producers.push(resolve));
  }

  /** Ends the stream after what is buffered; with an error, the consumer throws it. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (error !== undefined) this.failure = { error };
    this.wakeConsumer();
    this.releaseProducers();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.buffer.length > 0) {
        const item = this.buffer.shift() as T;
        if (this.buffer.length < this.highWater) this.releaseProducers();
        yield item;
      } else if (this.closed) {
        if (this.failure) throw this.failure.error;
        return;
      } else {
        await new Promise<void>((resolve) => (this.consumer = resolve));
      }
    }
  }

  private wakeConsumer(): void {
    const wake = this.consumer;
    this.consumer = undefined;
    wake?.();
  }

  private releaseProducers(): void {
    const waiting = this.producers;
    this.producers = [];
    for (const resolve of waiting) resolve();
  }
}
