/**
 * GitHub-style heading anchors (the github-slugger rules): lower case, punctuation removed,
 * each space a hyphen; repeats get `-1`, `-2`, … in document order.
 */
const removed = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

function slugify(text: string): string {
  return text.toLowerCase().replace(removed, '').replace(/ /g, '-');
}

export class Slugger {
  private readonly seen = new Map<string, number>();

  slug(text: string): string {
    const base = slugify(text);
    let candidate = base;
    let count = this.seen.get(base) ?? 0;
    while (this.seen.has(candidate)) candidate = `${base}-${++count}`;
    this.seen.set(base, count);
    this.seen.set(candidate, 0);
    return candidate;
  }
}
