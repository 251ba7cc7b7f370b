/**
 * An AbortController that also follows an outer signal: a source stops its own requests when
 * its consumer stops iterating early, and when the caller cancels.
 */
export function innerAbort(outer: AbortSignal | undefined): { signal: AbortSignal; stop: () => void } {
  outer?.throwIfAborted();
  const controller = new AbortController();
  const follow = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    stop: () => {
      outer?.removeEventListener('abort', follow);
      controller.abort();
    },
  };
}
