/**
 * One error type for all of Bosun: a stable machine-readable code, a message a person can
 * read, and a hint that says what to do next. The CLI maps it to an exit status.
 */

/** Exit statuses of the CLI, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unavailable: 5,
  timeout: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DB_UNAVAILABLE'
  | 'DB_ERROR'
  | 'MIGRATION_FAILED'
  | 'EMBEDDED_PG_FAILED'
  | 'TOOL_MISSING'
  | 'EXEC_FAILED'
  | 'EXEC_TIMEOUT'
  | 'QUEUE_ERROR'
  | 'LAKE_ERROR'
  | 'LAKE_CONFLICT'
  | 'LAKE_FILE_MISSING'
  | 'UNSUPPORTED'
  | 'INTERNAL'
  | (string & {});

const defaultExit: Record<string, ExitCode> = {
  INVALID_INPUT: ExitCode.usage,
  INVALID_CONFIG: ExitCode.usage,
  NOT_FOUND: ExitCode.notFound,
  CONFLICT: ExitCode.conflict,
  LAKE_CONFLICT: ExitCode.conflict,
  DB_UNAVAILABLE: ExitCode.unavailable,
  EMBEDDED_PG_FAILED: ExitCode.unavailable,
  TOOL_MISSING: ExitCode.unavailable,
  NO_MODEL: ExitCode.unavailable,
  ENDPOINT_UNAVAILABLE: ExitCode.unavailable,
  EXEC_TIMEOUT: ExitCode.timeout,
};

export interface BosunErrorOptions {
  hint?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
  exitCode?: ExitCode;
}

export class BosunError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: BosunErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BosunError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.exitCode = options.exitCode ?? defaultExit[code] ?? ExitCode.failure;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Wraps anything thrown into a BosunError, keeping Bosun's own errors as they are. */
/** SQLSTATEs and socket errors that mean PostgreSQL went away, not that the query was wrong. */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03']);

/** Whether a driver error says the server was lost (shut down, restarted, refused, or the connection dropped). */
export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return (
    CONNECTION_LOST.has(code) ||
    code.startsWith('08') ||
    /Connection terminated|connection is not open|Client has encountered a connection error/i.test(
      typeof e?.message === 'string' ? e.message : '',
    )
  );
}

/**
 * Any thrown value as a BosunError. A raw driver error that says PostgreSQL went away is
 * DB_UNAVAILABLE wherever it surfaced (a retry after `bosun up` can work), not INTERNAL.
 */
export function toBosunError(err: unknown): BosunError {
  if (err instanceof BosunError) return err;
  if (isConnectionLost(err)) {
    return new BosunError('DB_UNAVAILABLE', `lost the connection to PostgreSQL: ${(err as Error).message}`, {
      hint: 'start it again (`bosun up`, or check BOSUN_DATABASE_URL) and retry',
      cause: err,
      details: { retryable: true },
    });
  }
  if (err instanceof Error) return new BosunError('INTERNAL', err.message, { cause: err });
  return new BosunError('INTERNAL', String(err));
}

export function isBosunError(err: unknown, code?: ErrorCode): err is BosunError {
  return err instanceof BosunError && (code === undefined || err.code === code);
}

/** The first line of an error's message (of any thrown value), for a one-line explanation. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
