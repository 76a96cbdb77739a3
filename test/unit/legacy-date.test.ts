import { describe, expect, it } from 'vitest';
import { intlLegacyDates, legacyDateFormatter } from '../../src/rest/legacy-date.js';

describe('legacy dates', () => {
  const prc = legacyDateFormatter('Asia/Shanghai');

  it('writes YYYY-MM-DD HH:mm:ss in the configured zone', () => {
    expect(prc(new Date('2020-07-23T02:00:00Z'))).toBe('2020-07-23 10:00:00');
    expect(legacyDateFormatter('UTC')(new Date('2020-07-23T02:00:00Z'))).toBe('2020-07-23 02:00:00');
  });

  it('writes midnight as 00, never 24, and pads every part', () => {
    expect(prc(new Date('2021-01-04T16:00:05Z'))).toBe('2021-01-05 00:00:05');
  });
});

describe('legacy dates from the remembered offsets', () => {
  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/St_Johns',
  ];

  it.each(zones)('agree with Intl for %s, across its DST switches, second by second around them', (zone) => {
    const intl = intlLegacyDates(zone);
    const format = legacyDateFormatter(zone);
    const instants: number[] = [];
    // Every 7 minutes and 13 seconds over two years, plus each second of the hours around the switches.
    for (let ms = Date.UTC(2023, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 433_000) instants.push(ms + 123);
    // Lord Howe's and St John's switches fall at half past a UTC hour, inside a remembered hour.
    const switches = [
      Date.UTC(2024, 2, 10, 7),
      Date.UTC(2024, 2, 31, 1),
      Date.UTC(2024, 3, 6, 15),
      Date.UTC(2024, 8, 28, 14),
      Date.UTC(2024, 9, 5, 15, 30),
      Date.UTC(2024, 2, 10, 5, 30),
    ];
    for (const switchAt of switches) {
      for (let ms = switchAt - 3_600_000; ms < switchAt + 3_600_000; ms += 1000) instants.push(ms);
    }
    const wrong = instants.filter((ms) => format(new Date(ms)) !== intl.format(ms));
    expect(wrong.map((ms) => new Date(ms).toISOString()).slice(0, 5)).toEqual([]);
  });

  it('writes dates before the year 1000 and after 9999 as Intl does', () => {
    const intl = intlLegacyDates('UTC');
    for (const date of [new Date('0999-12-31T23:59:59Z'), new Date('+010000-01-01T00:00:00Z')]) {
      expect(legacyDateFormatter('UTC')(date)).toBe(intl.format(date));
    }
  });
});
