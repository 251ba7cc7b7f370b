import pino, { type Logger } from 'pino';

export type { Logger };

// Readable lines are for a terminal only: an MCP server's stderr is a pipe, and loading the
// pretty-printer there would only add to its start-up.
const pretty = process.stderr.isTTY ? (await import('pino-pretty')).default : null;

/**
 * Logs go to stderr, always: stdout carries results (and the stdio MCP protocol). Readable
 * lines on a terminal, JSON lines otherwise; synchronous so a crash never loses the last lines.
 */
export function createLogger(level: string = process.env.BOSUN_LOG_LEVEL ?? 'info', name = 'bosun'): Logger {
  const options = { name, level, base: { pid: process.pid } };
  if (pretty) {
    return pino(
      options,
      pretty({ destination: 2, sync: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' }),
    );
  }
  return pino(options, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
