import { previousKey, type PreviousPageState } from './types.js';
import { splitVersionFolder } from './versions.js';

/**
 * `ctx.previous` as a source sees it: sources name pages by their raw path (with the version
 * folder still in it when versions come from folders), the caller keys them by version and path.
 */
export class PreviousPages {
  private byPath: Map<string, PreviousPageState> | undefined;

  constructor(
    private readonly previous: Map<string, PreviousPageState>,
    private readonly version: string | null,
    private readonly folders: boolean,
  ) {}

  get(rawPath: string): PreviousPageState | undefined {
    if (!this.folders) return this.previous.get(previousKey(this.version, rawPath));
    const split = splitVersionFolder(rawPath);
    if (split) return this.previous.get(previousKey(split.version, split.path));
    // A page outside version folders was stored once per version; any copy has its validators.
    return this.previous.get(previousKey(this.version, rawPath)) ?? this.pathIndex().get(rawPath);
  }

  /** The pages of the previous sync that belong to this source's version (all of them with folders). */
  entries(): { path: string; state: PreviousPageState }[] {
    const out: { path: string; state: PreviousPageState }[] = [];
    for (const [key, state] of this.previous) {
      const [version = '', path = ''] = key.split('\u0000');
      if (this.folders || version === (this.version ?? '')) out.push({ path, state });
    }
    return out;
  }

  private pathIndex(): Map<string, PreviousPageState> {
    if (!this.byPath) {
      this.byPath = new Map();
      for (const { path, state } of this.entries()) if (!this.byPath.has(path)) this.byPath.set(path, state);
    }
    return this.byPath;
  }
}
