import { tokenize } from './tokenize.js';

/**
 * Words that software documentation and the people asking about it use for the same thing.
 * A query term also looks for its group's other words, at a lower weight (see Searcher), so
 * "abort a request" finds the page on cancellation and "folder" the one on directories.
 *
 * The groups are general software vocabulary, written without looking at any one corpus:
 * they must help on documentation nobody here has seen. Each is a set of single words of
 * (nearly) one meaning; a word belongs to one group at most.
 */
const groups: readonly (readonly string[])[] = [
  ['cancel', 'abort', 'terminate', 'interrupt'],
  ['delete', 'remove', 'erase', 'purge'],
  ['update', 'modify', 'edit', 'alter'],
  ['list', 'enumerate'],
  ['fetch', 'retrieve', 'obtain'],
  ['error', 'failure', 'exception', 'fault'],
  ['configuration', 'config', 'setting', 'settings', 'option', 'options', 'preference'],
  ['directory', 'folder'],
  ['asynchronous', 'async', 'background', 'deferred'],
  ['check', 'verify', 'validate', 'confirm'],
  ['start', 'launch', 'begin'],
  ['connect', 'connection', 'attach'],
  ['authentication', 'authenticate', 'login', 'signin'],
  ['authorization', 'authorize', 'permission', 'privilege'],
  ['maximum', 'limit', 'cap', 'quota'],
  ['performance', 'speed', 'latency', 'throughput'],
  ['compaction', 'compact', 'merge', 'consolidate'],
  ['old', 'stale', 'outdated', 'obsolete', 'expired'],
  ['revision', 'release', 'version'],
  ['migrate', 'migration', 'move', 'transfer', 'convert'],
  ['restore', 'recover', 'recovery'],
  ['encrypt', 'encryption', 'encrypted', 'cipher'],
  ['log', 'logging', 'logs'],
  ['debug', 'debugging', 'troubleshoot', 'troubleshooting', 'diagnose'],
  ['install', 'installation', 'setup'],
  ['column', 'field', 'attribute'],
  ['row', 'record'],
  ['schema', 'structure', 'shape'],
  ['notify', 'notification', 'alert', 'announce'],
  ['ask', 'request'],
  ['respond', 'reply', 'answer', 'response'],
  ['heartbeat', 'keepalive', 'ping', 'liveness'],
  ['timeout', 'deadline'],
  ['retry', 'reattempt'],
  ['pagination', 'paginate', 'paging', 'cursor'],
  ['cache', 'caching', 'cached'],
  ['subscribe', 'subscription', 'watch'],
  ['secret', 'password', 'credential', 'credentials'],
  ['url', 'uri', 'link'],
  ['example', 'sample', 'demo'],
  ['tutorial', 'guide', 'walkthrough', 'quickstart'],
  ['unsupported', 'limitation', 'restriction'],
  ['small', 'tiny', 'little'],
  ['large', 'big', 'huge'],
  ['many', 'multiple', 'several'],
  ['sort', 'order', 'ordering'],
  ['statistics', 'stats', 'metrics'],
  ['concurrent', 'concurrency', 'simultaneous', 'parallel'],
  ['write', 'writer', 'writers', 'writing'],
  ['read', 'reader', 'readers', 'reading'],
  ['output', 'result'],
  ['input', 'argument', 'parameter'],
  ['permanent', 'permanently', 'physically'],
  ['rename', 'renaming'],
];

/** term → the other terms of its group, all as the tokenizer makes them (stemmed). */
const related: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const group of groups) {
    const terms = [...new Set(group.flatMap((word) => tokenize(word)))];
    if (terms.length < 2) continue;
    for (const term of terms) map.set(term, [...(map.get(term) ?? []), ...terms.filter((t) => t !== term)]);
  }
  return map;
})();

/** The query's terms, each with weight 1, plus their synonyms with `weight` (absent from the query). */
export function expandWithSynonyms(terms: readonly string[], weight: number): { term: string; weight: number }[] {
  const expanded = terms.map((term) => ({ term, weight: 1 }));
  const seen = new Set(terms);
  for (const term of terms) {
    for (const synonym of related.get(term) ?? []) {
      if (seen.has(synonym)) continue;
      seen.add(synonym);
      expanded.push({ term: synonym, weight });
    }
  }
  return expanded;
}
