import { useState } from 'preact/hooks';
import { get, post } from './client.js';
import { Action, Failure, hours, useLive, type Json } from './common.js';
import { TaskGraph, type GraphNode } from './graph.js';

export function Projects() {
  const { data, error } = useLive(
    () => get<{ projects: Json[] }>('projects'),
    [],
    (n) => n !== 'lake',
  );
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  if (!data.projects.length)
    return (
      <p>
        No projects yet: <code>bosun project new --template etl</code>
      </p>
    );
  return (
    <table class="projects">
      <thead>
        <tr>
          <th>project</th>
          <th>phase</th>
          <th>progress</th>
          <th>hours / budget</th>
          <th>due</th>
          <th>next</th>
        </tr>
      </thead>
      <tbody>
        {data.projects.map((o) => (
          <tr key={o.project.slug} data-project={o.project.slug}>
            <td>
              <a href={`#/project/${o.project.slug}`}>{o.project.name}</a>
              <small> {o.project.slug}</small>
            </td>
            <td class={`phase phase-${o.project.status}`}>{o.project.status}</td>
            <td>
              <progress max={100} value={o.progress.percent} /> {o.progress.finished}/{o.progress.total}
            </td>
            <td>
              {hours(o.timeSpentMs)} h{o.budget.hours !== null ? ` / ${o.budget.hours} h` : ''}
            </td>
            <td>{o.project.dueOn ?? '—'}</td>
            <td>
              <small>{o.nextActions[0] ?? ''}</small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Project({ slug }: { slug: string }) {
  const { data, error } = useLive(
    () => get<Json>(`projects/${encodeURIComponent(slug)}`),
    [slug],
    (n) => n !== 'lake',
  );
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  const { overview, guard, graph, notes, artifacts, events } = data;
  return (
    <div>
      <h2>
        {overview.project.name} <span class={`phase phase-${overview.project.status}`}>{overview.project.status}</span>
      </h2>
      <p>
        {overview.progress.finished}/{overview.progress.total} tasks finished · {hours(overview.timeSpentMs)} h
        {overview.budget.hours !== null ? ` of ${overview.budget.hours} h` : ''}
        {overview.project.dueOn ? ` · due ${overview.project.dueOn}` : ''}
      </p>
      <section class="lifecycle">
        {guard.next && !guard.blocker && (
          <Action label={`advance to ${guard.next}`} run={() => post(`projects/${encodeURIComponent(slug)}/advance`)} />
        )}
        {guard.blocker && (
          <p class="guard">
            next phase blocked: {guard.blocker.message}
            {guard.blocker.hint && <small> — {guard.blocker.hint}</small>}
          </p>
        )}
        <ul>
          {overview.nextActions.map((a: string) => (
            <li key={a}>
              <code>{a}</code>
            </li>
          ))}
        </ul>
      </section>
      <h3>Tasks</h3>
      <div class="graph-wrap">
        <TaskGraph nodes={graph.nodes as GraphNode[]} edges={graph.edges} />
      </div>
      <h3>Artifacts</h3>
      <ul>
        {artifacts.map((a: Json) => (
          <li key={a.id}>
            {a.taskRef} · {a.name} <small>({a.mediaType})</small>
            <ArtifactView slug={slug} artifact={a} />
          </li>
        ))}
      </ul>
      <h3>Notes</h3>
      <ul>
        {notes.map((n: Json) => (
          <li key={n.id}>
            <b>{n.kind}</b> {n.taskRef ?? ''} {n.body}
          </li>
        ))}
      </ul>
      <h3>Events</h3>
      <ol class="events">
        {events.map((e: Json) => (
          <li key={e.id}>
            <small>{new Date(e.at).toLocaleTimeString()}</small> {e.kind} <small>{e.actor}</small>
          </li>
        ))}
      </ol>
      <ProjectDocument slug={slug} />
    </div>
  );
}

/** Charts (PNG, SVG) as images, reports and tables as text, fetched from the server on demand. */
function ArtifactView({ slug, artifact }: { slug: string; artifact: Json }) {
  const src = `/api/projects/${encodeURIComponent(slug)}/artifact?id=${encodeURIComponent(artifact.id)}`;
  const [text, setText] = useState<string | null>(null);
  if (/^image\/(png|jpeg|svg\+xml)$/.test(artifact.mediaType))
    return <img class="artifact" src={src} alt={artifact.name} loading="lazy" />;
  if (!/^(text\/|application\/json)/.test(artifact.mediaType)) return <small> {artifact.uri}</small>;
  return text === null ? (
    <button
      onClick={() =>
        void fetch(src)
          .then((r) => r.text())
          .then((t) => setText(t.slice(0, 20_000)))
      }
    >
      show
    </button>
  ) : (
    <pre>{text}</pre>
  );
}

function ProjectDocument({ slug }: { slug: string }) {
  const [doc, setDoc] = useState<{ document?: string; error?: string } | null>(null);
  return (
    <section>
      <h3>Project document</h3>
      {doc === null ? (
        <button
          onClick={() =>
            void get<{ document: string }>(`projects/${encodeURIComponent(slug)}/document`).then(setDoc, (e: Error) =>
              setDoc({ error: e.message }),
            )
          }
        >
          show the project document
        </button>
      ) : doc.error ? (
        <Failure error={doc.error} />
      ) : (
        <pre class="document">{doc.document}</pre>
      )}
    </section>
  );
}

export function Work() {
  const { data, error } = useLive(
    () => get<Json>('work'),
    [],
    (n) => n !== 'lake',
  );
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  const line = (t: Json) => (
    <li key={t.id}>
      <a href={`#/task/${encodeURIComponent(t.ref)}`}>{t.ref}</a> {t.title} <small>{t.agentId}</small>
    </li>
  );
  return (
    <div>
      <h3>Working ({data.working.length})</h3>
      <ul class="working">{data.working.map(line)}</ul>
      <h3>Queued ({data.submitted.length})</h3>
      <ul class="queued">{data.submitted.map(line)}</ul>
      <h3>Workers</h3>
      <ul>
        {data.workers.map((w: Json) => (
          <li key={w.id}>
            {w.hostname}:{w.pid} · concurrency {w.concurrency} · heartbeat{' '}
            {new Date(w.heartbeat_at).toLocaleTimeString()}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Agents() {
  const { data, error } = useLive(
    () => get<{ agents: Json[] }>('agents'),
    [],
    () => false,
  );
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>agent</th>
          <th>executor</th>
          <th>usable</th>
          <th>skills (runs · success · p50)</th>
          <th>needs</th>
        </tr>
      </thead>
      <tbody>
        {data.agents.map((a) => (
          <tr key={a.id}>
            <td>
              <b>{a.name}</b>{' '}
              <small>
                {a.id} · {a.tier}
              </small>
            </td>
            <td>{a.executor}</td>
            <td class={a.availability.available ? 'ok' : 'bad'}>
              {a.availability.available ? 'yes' : a.availability.reasons.join('; ')}
            </td>
            <td>
              {a.skills.map((s: Json) => (
                <div key={s.id}>
                  <code>{s.id}</code>{' '}
                  {s.stats
                    ? `${s.stats.runs} · ${Math.round((100 * s.stats.successes) / Math.max(1, s.stats.runs))}% · ${s.stats.p50DurationMs ?? '—'} ms`
                    : 'no runs'}
                </div>
              ))}
            </td>
            <td>
              <small>{a.requires.map((r: Json) => r.package ?? r.name).join(', ')}</small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Docs() {
  const { data, error } = useLive(
    () => get<Json>('docs'),
    [],
    (n) => n === 'lake',
  );
  const [query, setQuery] = useState('');
  const [library, setLibrary] = useState('');
  const [version, setVersion] = useState('');
  const [hits, setHits] = useState<Json | null>(null);
  const [page, setPage] = useState<Json | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  const search = (e: Event) => {
    e.preventDefault();
    setSearchError(null);
    get<Json>('docs/search', { q: query, library, version }).then(setHits, (err: Error) => setSearchError(err.message));
  };
  return (
    <div>
      <table>
        <thead>
          <tr>
            <th>library</th>
            <th>versions</th>
            <th>pages · chunks</th>
            <th>last sync</th>
            <th>broken links</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {data.libraries.map((l: Json) => (
            <tr key={l.name} data-library={l.name}>
              <td>{l.name}</td>
              <td>{l.versions.join(', ')}</td>
              <td>
                {l.pages} · {l.chunks}
              </td>
              <td class={l.lastSync?.status === 'failed' ? 'bad' : ''}>
                {l.lastSync ? `${l.lastSync.status} ${new Date(l.lastSync.startedAt).toLocaleString()}` : 'never'}
              </td>
              <td>{l.brokenLinks}</td>
              <td>
                <Action label="sync" run={() => post(`docs/${encodeURIComponent(l.name)}/sync`)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.schedules.length > 0 && (
        <p>schedules: {data.schedules.map((s: Json) => `${s.library ?? 'all'} "${s.cron}"`).join(', ')}</p>
      )}
      <form class="search" onSubmit={search}>
        <input name="q" placeholder="search the docs" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <select name="library" value={library} onChange={(e) => setLibrary(e.currentTarget.value)}>
          <option value="">all libraries</option>
          {data.libraries.map((l: Json) => (
            <option key={l.name} value={l.name}>
              {l.name}
            </option>
          ))}
        </select>
        <input
          name="version"
          placeholder="version"
          value={version}
          onInput={(e) => setVersion(e.currentTarget.value)}
        />
        <button type="submit">search</button>
      </form>
      {searchError && <Failure error={searchError} />}
      {hits && (
        <ol class="hits">
          {hits.hits.map((h: Json) => (
            <li key={h.chunk_id}>
              <a
                href="#"
                onClick={(e) => {
                  e.preventDefault();
                  get<Json>('docs/read', { library: h.library, version: h.version, path: h.path }).then(
                    setPage,
                    (err: Error) => setSearchError(err.message),
                  );
                }}
              >
                {h.library}@{h.version} {h.path} › {(h.heading_path ?? []).join(' › ')}
              </a>
              <p>{String(h.text ?? '').slice(0, 300)}</p>
            </li>
          ))}
        </ol>
      )}
      {page && (
        <article class="reader">
          <h3>{page.title ?? page.path}</h3>
          <pre>{(page.chunks ?? []).map((c: Json) => c.text).join('\n\n') || page.text}</pre>
        </article>
      )}
    </div>
  );
}

export function Lake() {
  const { data, error } = useLive(
    () => get<Json>('lake'),
    [],
    (n) => n === 'lake',
  );
  const [sql, setSql] = useState('SELECT 42 AS answer');
  const [result, setResult] = useState<Json | null>(null);
  const [sqlError, setSqlError] = useState<string | null>(null);
  if (error) return <Failure error={error} />;
  if (!data) return <p class="loading">loading…</p>;
  return (
    <div>
      <h3>Tables</h3>
      <ul>
        {data.tables.map((t: Json) => (
          <li key={t.name}>
            <code>{t.name}</code> {t.rows ?? t.recordCount ?? ''} rows
          </li>
        ))}
      </ul>
      <h3>SQL (read-only)</h3>
      <form
        class="sql"
        onSubmit={(e) => {
          e.preventDefault();
          setSqlError(null);
          post<Json>('lake/sql', { sql }).then(setResult, (err: Error) => setSqlError(err.message));
        }}
      >
        <textarea name="sql" rows={4} value={sql} onInput={(e) => setSql(e.currentTarget.value)} />
        <button type="submit">run</button>
      </form>
      {sqlError && <Failure error={sqlError} />}
      {result && (
        <table class="result">
          <thead>
            <tr>
              {result.columns.map((c: Json) => (
                <th key={c.name}>{c.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.slice(0, 200).map((r: Json, i: number) => (
              <tr key={i}>
                {result.columns.map((c: Json) => (
                  <td key={c.name}>{JSON.stringify(r[c.name])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Snapshots</h3>
      <ol class="snapshots">
        {data.snapshots.slice(0, 50).map((s: Json) => (
          <li key={s.id ?? s.snapshotId}>
            #{s.id ?? s.snapshotId} <small>{s.time ?? s.snapshotTime}</small> {s.changes ?? s.message ?? ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
