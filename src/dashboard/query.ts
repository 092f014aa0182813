/** Links that carry the page's filters. */

/** A query string from parameters, leaving out empty ones (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}
