const HOUR_MS = 3_600_000;
/** Hours whose offsets are remembered; a store's dates cluster, so this is rarely reached. */
const REMEMBERED_HOURS = 4096;

/** Intl writing the legacy shape: Swedish dates are `YYYY-MM-DD HH:mm:ss`. */
export const intlLegacyDates = (timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

const pad = (value: number) => (value < 10 ? `0${value}` : String(value));

/**
 * Formats instants as the legacy `YYYY-MM-DD HH:mm:ss`, the wall-clock time of one time zone.
 * Intl writes them (Swedish dates have exactly that shape) but is slow for a hot path (every
 * `me`): so Intl only learns the zone's offset for each hour it is asked about, and the date is
 * written from the offset. An hour in which the offset changes (a DST switch) stays with Intl.
 */
export function legacyDateFormatter(timeZone: string): (date: Date) => string {
  const intl = intlLegacyDates(timeZone);
  const offsetAt = (ms: number) => Date.parse(`${intl.format(ms).replace(' ', 'T')}Z`) - ms;
  const offsets = new Map<number, number | null>();
  const offsetOfHour = (hour: number): number | null => {
    let offset = offsets.get(hour);
    if (offset === undefined) {
      if (offsets.size >= REMEMBERED_HOURS) offsets.clear();
      const start = offsetAt(hour * HOUR_MS);
      const end = offsetAt((hour + 1) * HOUR_MS - 1000);
      // NaN where Intl writes a year Date.parse does not read: those dates stay with Intl too.
      offset = start === end && !Number.isNaN(start) ? start : null;
      offsets.set(hour, offset);
    }
    return offset;
  };
  return (date) => {
    const ms = date.getTime();
    const offset = offsetOfHour(Math.floor(ms / HOUR_MS));
    const wall = offset === null ? null : new Date(ms + offset);
    const year = wall?.getUTCFullYear() ?? 0;
    if (wall === null || year < 1000 || year > 9999) return intl.format(date);
    return (
      `${year}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
      `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
    );
  };
}
