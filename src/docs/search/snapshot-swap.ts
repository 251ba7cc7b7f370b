import { BosunError, type Logger } from '../../core/index.js';
import type { MemoryIndex } from './memory-index.js';
import type { LibraryPolicy, VersionCatalog } from './versions.js';

/** After a failed reload, serve the loaded snapshot for this long before trying again. */
const RELOAD_RETRY_MS = 5_000;

export interface SnapshotSwapOptions {
  /** The newest snapshot id the source holds. */
  latestSnapshotId: () => Promise<number>;
  /** Builds (or opens from the cache) the index of one snapshot. */
  loadIndex: (snapshot: number) => Promise<MemoryIndex>;
  catalog: VersionCatalog;
  /** Look for a new snapshot at most this often (default 0: before every call). */
  freshnessMs?: number;
  /** Re-read default versions and deprecations at most this often (default 5 s). */
  catalogRefreshMs?: number;
  logger: Logger;
}

/**
 * The searcher's hot swap: holds the in-memory index of one snapshot and the libraries'
 * default versions, notices a newer snapshot before a call (or every `freshnessMs`, or when
 * one is announced) and swaps it in; a call already running keeps the index it leased, which
 * is retired once the last lease ends.
 */
export class SnapshotSwap {
  private current_: MemoryIndex;
  private policies_: Map<string, LibraryPolicy>;
  private checkedAt = Date.now();
  private policiesAt = Date.now();
  private reloading: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly options: SnapshotSwapOptions,
    index: MemoryIndex,
    policies: Map<string, LibraryPolicy>,
  ) {
    this.current_ = index;
    this.policies_ = policies;
  }

  /** The index loaded now (without looking for a newer one). */
  get index(): MemoryIndex {
    return this.current_;
  }

  get policies(): Map<string, LibraryPolicy> {
    return this.policies_;
  }

  /** The index to use for this call, after loading a newer snapshot if there is one. */
  async current(): Promise<MemoryIndex> {
    if (this.closed) throw new BosunError('INVALID_INPUT', 'this searcher is closed');
    const now = Date.now();
    if (now - this.policiesAt >= (this.options.catalogRefreshMs ?? 5_000)) {
      this.policiesAt = now;
      void this.options.catalog.policies().then(
        (p) => (this.policies_ = p),
        (err: unknown) =>
          this.options.logger.warn({ err }, 'could not refresh default versions; keeping the previous ones'),
      );
    }
    if (now - this.checkedAt >= (this.options.freshnessMs ?? 0)) {
      this.checkedAt = now;
      if (!this.reloading) void this.scheduleReload();
    }
    if (this.reloading) await this.reloading;
    return this.current_;
  }

  /** Checks for a newer snapshot and re-reads default versions now; true when a snapshot was loaded. */
  async refresh(): Promise<boolean> {
    const before = this.current_.snapshotId;
    this.checkedAt = 0;
    await this.current();
    if (this.current_.snapshotId === before) {
      this.policies_ = await this.options.catalog.policies();
      this.policiesAt = Date.now();
    }
    return this.current_.snapshotId !== before;
  }

  /** A writer announced a new snapshot: start loading it now. */
  announced(): void {
    if (this.closed) return;
    this.checkedAt = Date.now();
    void this.scheduleReload();
  }

  /**
   * Refuses further calls, runs `whileClosing`, waits for a reload in flight and retires the
   * index. False when it was closed already.
   */
  async close(whileClosing?: () => Promise<void> | undefined): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    await whileClosing?.();
    await this.reloading?.catch(() => undefined);
    this.current_.retire();
    return true;
  }

  /** Queued after a reload in flight, which may have read the latest snapshot id before this was due. */
  private scheduleReload(): Promise<void> {
    const reload: Promise<void> = (this.reloading ?? Promise.resolve())
      .then(() => this.reloadIfStale())
      .finally(() => {
        if (this.reloading === reload) this.reloading = null;
      });
    this.reloading = reload;
    return reload;
  }

  private async reloadIfStale(): Promise<void> {
    try {
      const latest = await this.options.latestSnapshotId();
      if (latest === this.current_.snapshotId) return;
      const started = performance.now();
      const [next, policies] = await Promise.all([this.options.loadIndex(latest), this.options.catalog.policies()]);
      const previous = this.current_;
      this.current_ = next;
      this.policies_ = policies;
      this.policiesAt = Date.now();
      previous.retire();
      this.options.logger.info({ snapshot: latest, ms: roundMs(performance.now() - started) }, 'search index reloaded');
    } catch (err) {
      // Serving the snapshot already loaded beats failing every call; try again a bit later.
      this.checkedAt = Date.now() + RELOAD_RETRY_MS;
      this.options.logger.warn(
        { err },
        'could not load the newest snapshot of the search index; serving the one loaded',
      );
    }
  }
}

/** Milliseconds to two decimals, as `took_ms` and the logs give them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
