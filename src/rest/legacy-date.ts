/**
 * Formats instants as the legacy `YYYY-MM-DD HH:mm:ss`, the wall-clock time of one time zone.
 * Swedish dates are written in exactly that shape, and `format` is several times cheaper than
 * assembling `formatToParts`.
 */
export function legacyDateFormatter(timeZone: string): (date: Date) => string {
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (date) => format.format(date);
}
