/**
 * Merges a piece under `minTokens` with its neighbour when the two share a parent: siblings
 * (`A > B` and `A > C`) or a heading and its child (`A` and `A > B`). A tiny heading whose
 * subsections follow waits for them instead of joining the previous branch. The merged chunk
 * takes the common heading path and the first piece's anchor, and stays within `maxTokens`.
 */
export interface Piece {
  headingPath: string[];
  anchor: string;
  text: string;
  tokens: number;
}

interface Group extends Piece {
  /** Heading path of the last piece merged in: the next piece must be its sibling or child. */
  lastPath: string[];
}

export function mergeSmall(pieces: readonly Piece[], minTokens: number, maxTokens: number): Piece[] {
  const groups: Group[] = [];
  pieces.forEach((piece, i) => {
    const group = groups[groups.length - 1];
    const tiny = piece.tokens < minTokens;
    if (
      group &&
      (group.tokens < minTokens || tiny) &&
      group.tokens + piece.tokens <= maxTokens &&
      shareParent(group.lastPath, piece.headingPath) &&
      !(tiny && group.tokens >= minTokens && isChild(pieces[i + 1]?.headingPath, piece.headingPath))
    ) {
      group.headingPath = group.headingPath.slice(0, commonPrefix(group.headingPath, piece.headingPath));
      group.lastPath = piece.headingPath;
      group.text = `${group.text}\n\n${piece.text}`;
      group.tokens += piece.tokens; // countTokens is additive over whitespace
      return;
    }
    groups.push({ ...piece, lastPath: piece.headingPath });
  });
  return groups.map(({ lastPath: _, ...piece }) => piece);
}

function shareParent(a: readonly string[], b: readonly string[]): boolean {
  return commonPrefix(a, b) >= Math.max(a.length, b.length) - 1;
}

function isChild(path: readonly string[] | undefined, parent: readonly string[]): boolean {
  return path !== undefined && path.length > parent.length && commonPrefix(path, parent) === parent.length;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
