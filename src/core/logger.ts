import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Logs go to stderr, always: stdout carries results (and the stdio MCP protocol). Readable
 * lines on a terminal, JSON lines otherwise; synchronous so a crash never loses the last lines.
 */
export function createLogger(level: string = process.env.BOSUN_LOG_LEVEL ?? 'info', name = 'bosun'): Logger {
  const options = { name, level, base: { pid: process.pid } };
  if (process.stderr.isTTY) {
    return pino(options, pretty({ destination: 2, sync: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' }));
  }
  return pino(options, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
