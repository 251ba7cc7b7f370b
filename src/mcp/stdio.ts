import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How long requests already read may take to be answered once stdin has ended. */
const DRAIN_MS = 10_000;

/**
 * Serves one client over stdin/stdout until it disconnects (stdout belongs to the protocol).
 * When stdin ends, the requests already read are still answered (a script may pipe requests in
 * and read the answers), then the server closes; a stdout the client has closed (EPIPE) ends
 * the session rather than crashing the process.
 */
export async function serveStdio(server: McpServer): Promise<void> {
  const transport = new StdioServerTransport();
  let end!: () => void;
  const closed = new Promise<void>((resolve) => (end = resolve));
  transport.onclose = () => end();
  process.stdout.on('error', () => end());
  await server.connect(transport);
  const pending = pendingRequests(transport);
  process.stdin.once('end', () => void pending.settled(DRAIN_MS).then(end));
  await closed;
  await server.close();
}

/**
 * Counts the requests read and not yet answered, by watching the transport's traffic (the SDK
 * keeps no public count). Call after connect, which sets the transport's message handler.
 */
function pendingRequests(transport: StdioServerTransport): { settled(maxMs: number): Promise<void> } {
  let pending = 0;
  let onIdle: (() => void) | null = null;
  const handle = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending++;
    handle?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (('result' in message || 'error' in message) && --pending <= 0) onIdle?.();
  };
  return {
    settled: (maxMs) =>
      new Promise<void>((resolve) => {
        if (pending <= 0) return resolve();
        // A cancelled request is never answered: do not wait for it forever.
        const timer = setTimeout(resolve, maxMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}
