/** The number of two (or four) digits of `text` from `at`. */
const digits = (text: string, at: number, count = 2): number => {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
};

/**
 * The instant of a timestamp column's text as MySQL writes it (`YYYY-MM-DD HH:mm:ss`, no
 * fractions), read by arithmetic: several times cheaper than parsing an ISO string. Null for a
 * text of another shape, a zero date or an impossible one.
 */
export function plainTimestamp(text: string, offsetMs: number): number | null {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ') return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5);
  const day = digits(text, 8);
  const hour = digits(text, 11);
  const minute = digits(text, 14);
  const second = digits(text, 17);
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  return new Date(utc).getUTCDate() === day ? utc - offsetMs : null;
}

/** `Z` or `±HH:MM` (DB_TIMEZONE) in milliseconds east of UTC. */
export function offsetMs(offset: string): number {
  if (offset === 'Z') return 0;
  const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6));
  return (offset[0] === '-' ? -minutes : minutes) * 60_000;
}
