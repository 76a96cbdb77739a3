import { describe, expect, it } from 'vitest';
import { offsetMs, plainTimestamp } from '../../src/db/timestamp-text.js';

/** What the ISO parse makes of a column's text in a zone: the reading the arithmetic must match. */
const isoReading = (text: string, offset: string): number | null => {
  const ms = new Date(`${text.replace(' ', 'T')}${offset}`).getTime();
  return Number.isNaN(ms) ? null : ms;
};

describe('timestamp columns read by arithmetic', () => {
  it.each(['Z', '+08:00', '-03:30', '+05:45', '-12:00'])('agree with the ISO parse in %s', (offset) => {
    const texts: string[] = [];
    for (let ms = Date.UTC(1970, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 86_399_017) {
      texts.push(new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
    }
    for (const text of texts) expect(plainTimestamp(text, offsetMs(offset))).toBe(isoReading(text, offset));
  });

  it('leave zero dates, impossible days and other shapes to the ISO parse (null)', () => {
    for (const text of [
      '0000-00-00 00:00:00',
      '2023-02-30 10:00:00',
      '2023-13-01 10:00:00',
      '2023-00-10 10:00:00',
      '2023-01-01 24:00:00',
      '2023-01-01 10:60:00',
      '2023-01-01 10:00:00.123456',
      '2023-01-01T10:00:00',
    ]) {
      expect(plainTimestamp(text, 0), text).toBeNull();
    }
  });

  it('reads offsets east and west of UTC', () => {
    expect(offsetMs('Z')).toBe(0);
    expect(offsetMs('+08:00')).toBe(8 * 3_600_000);
    expect(offsetMs('-03:30')).toBe(-3.5 * 3_600_000);
  });
});
