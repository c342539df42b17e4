/**
 * Edit distance (Levenshtein) between two names, giving up past `limit`: enough to tell a typo
 * (`custmers` for `customers`) from another name.
 */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) {
    return limit + 1;
  }
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      best = Math.min(best, current[j]);
    }
    if (best > limit) {
      return limit + 1;
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The name among `names` that `name` most likely misspells: case aside, at most one edit for
 * short names and two for names of eight characters or more. Undefined when none is that close.
 */
export function likelyMeant(name: string, names: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const limit = wanted.length >= 8 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of names) {
    const distance = candidate.toLowerCase() === wanted ? 0 : wanted.length < 3 ? limit + 1 : editDistance(wanted, candidate.toLowerCase(), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * The one name among `names` that `name` abbreviates: its letters in order, the first the same
 * (`totl` for `total_cents`, `cust_id` for `customer_id`). Undefined when none or several do.
 */
export function abbreviated(name: string, names: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  if (wanted.length < 3) return undefined;
  const matches = [...names].filter((candidate) => {
    const lower = candidate.toLowerCase();
    if (lower === wanted || lower[0] !== wanted[0]) return false;
    let at = 0;
    for (const char of lower) if (char === wanted[at]) at++;
    return at === wanted.length;
  });
  return matches.length === 1 ? matches[0] : undefined;
}
