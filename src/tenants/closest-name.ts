// The known name closest to a misspelt one: the doctor's "registered: Ann Manager" for an unknown manager
// 'Ann Manger', and the CLI's "did you mean --manager?". Optimal string alignment distance (Levenshtein
// plus the swap of two neighbours, the commonest typing slip), ignoring case. Hand-written rather than a
// dependency: twenty lines, used on a handful of short names, never on the hot path. Pure.

/** Edits (insert, delete, substitute, swap neighbours) that turn `a` into `b`, ignoring case; bounded inputs only. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let before: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] as number;
}

/** Names longer than this are not compared (the distance costs length squared). */
const MAX_COMPARED_LENGTH = 200;

/**
 * The candidate closest to `name`, if it is close enough to be a slip: at most a third of the longer name's
 * characters differ (at least one edit allowed). Ties go to the first candidate.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  if (name.length > MAX_COMPARED_LENGTH) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate.length > MAX_COMPARED_LENGTH) continue;
    const distance = editDistance(name, candidate);
    const allowed = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance <= allowed && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
