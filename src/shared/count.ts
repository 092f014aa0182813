/** Counts for people: `950`, `1.2k`, `3.4M`. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  const [value, unit] = n < 1e6 ? [n / 1e3, 'k'] : [n / 1e6, 'M'];
  return `${value.toFixed(1).replace(/\.0$/, '')}${unit}`;
}
