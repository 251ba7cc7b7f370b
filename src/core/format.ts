/**
 * Byte counts as people read them, the same in the CLI's tables and the project document:
 * binary units, one decimal (two from GiB up, where a tenth is a hundred megabytes).
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u >= 2 ? 2 : 1)} ${units[u]}`;
}
