/** What every page of the dashboard shares: live loading, failures and actions. */
import { useEffect, useState } from 'preact/hooks';
import { subscribe, type PmNotice } from './client.js';

/** An answer of the dashboard API as the views read it: loosely, until it is typed from ui/api.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see eslint.config.js (src/ui/web)
export type Json = Record<string, any>;

/** Loads `load()` and reloads it when `shouldReload` says a server-sent event concerns it. */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], shouldReload: (n: PmNotice | 'lake') => boolean) {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let alive = true;
    const refresh = () =>
      load().then(
        (data) => alive && setState({ data }),
        (err: Error) => alive && setState({ error: err.message }),
      );
    void refresh();
    const stop = subscribe({
      pm: (n) => shouldReload(n) && void refresh(),
      lake: () => shouldReload('lake') && void refresh(),
    });
    return () => {
      alive = false;
      stop();
    };
  }, deps);
  return state;
}

export function Failure({ error }: { error: string }) {
  return <p class="error">{error}</p>;
}

export const hours = (ms: number) => (ms / 3_600_000).toFixed(1);

export function Action({ label, run }: { label: string; run: () => Promise<unknown> }) {
  const [state, setState] = useState<{ busy: boolean; error?: string; hint?: string }>({ busy: false });
  return (
    <span class="action">
      <button
        disabled={state.busy}
        onClick={() => {
          setState({ busy: true });
          run().then(
            () => setState({ busy: false }),
            (e: Error & { hint?: string }) =>
              setState({ busy: false, error: e.message, ...(e.hint ? { hint: e.hint } : {}) }),
          );
        }}
      >
        {state.busy ? '…' : label}
      </button>
      {state.error && (
        <span class="error">
          {state.error}
          {state.hint && <small> — {state.hint}</small>}
        </span>
      )}
    </span>
  );
}
