import type pg from 'pg';
import { BosunError } from '../../core/index.js';
import { withTransaction } from '../../db/index.js';
import { detectSource, type DetectOptions } from '../sources/detect.js';
import { appendSource, createLibrary, getLibrary, type Library } from './libraries.js';

export interface AddLibraryOptions {
  name: string;
  /** The `<source>` argument: a folder, a git repository, a URL, an llms.txt or an OpenAPI file. */
  input: string;
  source: DetectOptions;
  description?: string;
  defaultVersion?: string;
  /** Add the source to an existing library instead of creating one. */
  append?: boolean;
}

/**
 * Registers a library (or one more source of it). The source is checked before anything is
 * stored: a missing folder or an unreadable file fails here and leaves nothing behind.
 */
export async function addLibrary(
  pool: pg.Pool,
  options: AddLibraryOptions,
): Promise<{ library: Library; position: number }> {
  const spec = detectSource(options.input, options.source);
  const source = { input: options.input, spec };
  const position = await withTransaction(pool, async (client) => {
    if (!options.append) {
      await createLibrary(client, {
        name: options.name,
        source,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.defaultVersion !== undefined ? { pinnedVersion: options.defaultVersion } : {}),
      });
      return 0;
    }
    if (options.description !== undefined || options.defaultVersion !== undefined) {
      throw new BosunError(
        'INVALID_INPUT',
        '--description and --default-version describe a new library; they do not go with --append',
      );
    }
    return appendSource(client, options.name, source);
  });
  return { library: await getLibrary(pool, options.name), position };
}
