import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Logs go to stderr, always: stdout carries results (and the stdio MCP protocol).
 * Synchronous writes so a crash or process.exit never loses the last lines.
 */
export function createLogger(level: string = process.env.BOSUN_LOG_LEVEL ?? 'info', name = 'bosun'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
