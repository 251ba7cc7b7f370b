import { get, post } from './client.js';
import { Action, Failure, useLive, type Json } from './common.js';

/** The routing decision as a person reads it: who got the task and why, then who nearly did. */
function Routing({ route }: { route: Json | null }) {
  if (!route) return <p class="routing">not routed yet</p>;
  return (
    <div class="routing">
      <p class="winner">
        {route.agentId ? (
          <>
            <code>{route.agentId}</code> ({route.skillId}) —{' '}
            {route.automatic ? 'runs automatically' : 'waits to be claimed'}
          </>
        ) : (
          <>no agent — {route.waitingReason ?? 'waits for a person or an assistant'}</>
        )}
      </p>
      {route.reasons?.length > 0 && (
        <ul class="reasons">
          {route.reasons.map((r: string) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {route.runnersUp?.length > 0 && (
        <table class="runners-up">
          <thead>
            <tr>
              <th>runner-up</th>
              <th>skill</th>
              <th>score</th>
              <th>why not first</th>
            </tr>
          </thead>
          <tbody>
            {route.runnersUp.map((u: Json) => (
              <tr key={`${u.agentId}/${u.skillId}`}>
                <td>{u.agentId}</td>
                <td>{u.skillId}</td>
                <td>{u.score}</td>
                <td>{u.reasons.join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const clock = (at: string) => new Date(at).toLocaleTimeString();

/** What an event says in a log line, in words rather than its stored JSON. */
function eventText(e: Json): string {
  const d = e.data ?? {};
  switch (e.kind) {
    case 'run.started':
      return `claimed by ${d.claimedBy ?? '—'}${d.agentId ? ` for ${d.agentId}` : ''}`;
    case 'run.progress':
      return d.message ? `${d.percent !== undefined ? `${d.percent}% ` : ''}${d.message}` : (d.state ?? '');
    case 'run.finished':
      return `${d.state}${d.error ? `: ${d.error}` : ''}`;
    case 'task.status':
      return `${d.from ?? '—'} → ${d.to}`;
    default:
      return Object.keys(d).length ? JSON.stringify(d) : '';
  }
}

/** One attempt: its outcome, its log (the run's events in order) and its envelope. */
function RunCard({ run, events }: { run: Json; events: Json[] }) {
  const env = run.envelope as Json | null;
  const log = events.filter((e) => e.runId === run.id).sort((a, b) => a.id - b.id);
  return (
    <details class="run" open>
      <summary>
        attempt {run.attempt} · <span class={`state state-${run.state}`}>{run.state}</span> · {run.agentId ?? '—'}
        {run.wallMs != null && ` · ${run.wallMs} ms`}
      </summary>
      {env && <p class="summary">{env.summary}</p>}
      {(env?.error ?? run.error) && (
        <p class="error">{env?.error ? `${env.error.code}: ${env.error.message}` : String(run.error)}</p>
      )}
      <h4>Log</h4>
      {log.length ? (
        <ol class="run-log">
          {log.map((e) => (
            <li key={e.id}>
              <time>{clock(e.at)}</time> <code>{e.kind}</code> {eventText(e)}
            </li>
          ))}
        </ol>
      ) : (
        <p>no events recorded for this attempt</p>
      )}
      {env && Object.keys(env.metrics ?? {}).length > 0 && (
        <p class="metrics">
          {Object.entries(env.metrics as Record<string, number>).map(([k, v]) => (
            <span key={k} class="chip">
              {k} {v}
            </span>
          ))}
        </p>
      )}
      {env && (
        <details>
          <summary>envelope</summary>
          <pre>{JSON.stringify(env, null, 2)}</pre>
        </details>
      )}
    </details>
  );
}

const chips = (tasks: Json[]) =>
  tasks.map((t) => (
    <a key={t.ref} href={`#/task/${encodeURIComponent(t.ref)}`} class={`chip state-${t.status}`}>
      {t.ref} {t.title ?? ''}
    </a>
  ));

export function Task({ ref }: { ref: string }) {
  const { data, error } = useLive(
    () => get<Json>(`tasks/${encodeURIComponent(ref)}`),
    [ref],
    (n) => n !== 'lake',
  );
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  const t = data.task;
  return (
    <div>
      <h2>
        {t.ref} {t.title} <span class={`state state-${t.status}`}>{t.status}</span>
      </h2>
      <p>
        skill <code>{t.skill ?? '—'}</code> · agent <code>{t.agentId ?? '—'}</code>
      </p>
      {['failed', 'canceled', 'rejected'].includes(t.status) && (
        <Action label="retry" run={() => post(`tasks/${encodeURIComponent(ref)}/retry`)} />
      )}
      <h3>Routing</h3>
      <Routing route={t.route ?? null} />
      <h3>Inputs</h3>
      <pre>{JSON.stringify(data.inputs, null, 2)}</pre>
      {data.missingInputs?.length > 0 && <p class="error">missing inputs: {data.missingInputs.join(', ')}</p>}
      <h3>Runs</h3>
      {data.runs.length ? (
        data.runs.map((r: Json) => <RunCard key={r.id} run={r} events={data.events} />)
      ) : (
        <p>no runs yet</p>
      )}
      {data.children.length > 0 && (
        <>
          <h3>Handoffs</h3>
          <p>{chips(data.children)}</p>
        </>
      )}
      {data.artifacts.length > 0 && (
        <>
          <h3>Artifacts and lineage</h3>
          <ul>
            {data.artifacts.map((a: Json) => (
              <li key={a.id}>
                {a.name} <small>({a.mediaType})</small>
                {a.lineage && Object.keys(a.lineage).length > 0 && <pre>{JSON.stringify(a.lineage, null, 2)}</pre>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Upstream / downstream</h3>
      <p>
        {chips(data.upstream)} → {chips(data.downstream)}
      </p>
    </div>
  );
}
