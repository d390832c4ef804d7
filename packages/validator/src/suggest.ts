/** "Did you mean …?": the closest known name, or undefined when nothing is close enough. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const lower = name.toLowerCase();
  const squashed = squash(name);
  const sameCase = list.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const sameLetters = list.find((c) => squash(c) === squashed);
  if (sameLetters !== undefined) return sameLetters;
  const limit = name.length <= 3 ? 1 : name.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of list) {
    const d = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A prefix relation (`numberOfInstance` / `numberOfInstances`) is close whatever the length.
  return (
    best ??
    list.find(
      (c) =>
        c.length > 3 &&
        (lower.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(lower)) &&
        Math.abs(c.length - name.length) <= 3,
    )
  );
}

function squash(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Optimal string alignment distance (adjacent transpositions count 1), giving up above `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (previous2[j - 2] as number) + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
