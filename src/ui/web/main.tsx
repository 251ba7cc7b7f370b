import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Task } from './task.js';
import { Agents, Docs, Lake, Project, Projects, Work } from './views.js';

const TABS = [
  ['projects', 'Projects'],
  ['work', 'Work'],
  ['agents', 'Agents'],
  ['docs', 'Documentation'],
  ['lake', 'Lake'],
] as const;

function useHash(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'projects').split('/').map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

function App() {
  const [view, arg] = useHash();
  const page =
    view === 'project' && arg ? (
      <Project slug={arg} />
    ) : view === 'task' && arg ? (
      <Task ref={arg} />
    ) : view === 'work' ? (
      <Work />
    ) : view === 'agents' ? (
      <Agents />
    ) : view === 'docs' ? (
      <Docs />
    ) : view === 'lake' ? (
      <Lake />
    ) : (
      <Projects />
    );
  return (
    <>
      <header>
        <h1>Bosun</h1>
        <nav>
          {TABS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={view === id ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main data-view={view}>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
