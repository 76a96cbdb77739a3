import { describe, expect, it } from 'vitest';
import { legacyDateFormatter } from '../../src/rest/legacy-date.js';

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
