/** The dashboard's calls to its own server: same origin, the session cookie, the CSRF header on POSTs. */
let csrf: string | null = null;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json()) as { error?: { code: string; message: string; hint?: string } };
  if (!res.ok || body.error) {
    const e = body.error ?? { code: String(res.status), message: res.statusText };
    throw new ApiError(e.message, e.code, e.hint);
  }
  return body as T;
}

export async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])));
  const qs = query.toString();
  return parse<T>(await fetch(`/api/${path}${qs ? `?${qs}` : ''}`, { credentials: 'same-origin' }));
}

export async function post<T>(path: string, body: unknown = {}): Promise<T> {
  csrf ??= (await get<{ csrf: string }>('session')).csrf;
  return parse<T>(
    await fetch(`/api/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-bosun-csrf': csrf },
      body: JSON.stringify(body),
    }),
  );
}

export interface PmNotice {
  lastEventId: number;
  projectIds: string[];
  kinds: string[];
}

/** Server-sent events: the PM's changes and new lake snapshots, as they are committed. */
export function subscribe(handlers: { pm?: (n: PmNotice) => void; lake?: () => void }): () => void {
  const source = new EventSource('/api/events');
  source.addEventListener('pm', (e) => handlers.pm?.(JSON.parse((e as MessageEvent<string>).data) as PmNotice));
  source.addEventListener('lake', () => handlers.lake?.());
  return () => source.close();
}
