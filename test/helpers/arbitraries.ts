import fc from 'fast-check';

/** Characters that break naive code: controls, bidi and line separators, quotes, SQL and template syntax. */
const NASTY_CHARACTERS = [
  '\u0000',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u202e',
  '\ufeff',
  "'",
  '"',
  '`',
  '\\',
  '%',
  '_',
  '<',
  '>',
  '&',
  '{',
  '}',
  '$',
  ';',
  '--',
  '/*',
  '*/',
  '${',
  '{{',
  '../',
];

/** One character of anything: any code point, a lone surrogate, or one of the nasty ones above. */
const anyUnit = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.constantFrom(...NASTY_CHARACTERS), weight: 2 },
);

/** Short strings of anything, and plausible-looking ones (letters and digits) a rule may accept. */
export const hostileText = (maxLength = 40) =>
  fc.oneof(fc.string({ unit: anyUnit, maxLength }), fc.stringMatching(/^[A-Za-z0-9]{0,40}$/));

/** One character repeated into a string from a quarter to twice `around` bytes and more (multibyte). */
export const hugeText = (around: number) =>
  fc
    .tuple(fc.constantFrom('a', 'é', '€', '😀', '\u0000', ' '), fc.integer({ min: around / 4, max: around * 2 }))
    .map(([character, count]) => character.repeat(count));

/** Arrays or objects nested up to twice as deep as a REST body may be (512). */
const deeplyNested = fc.tuple(fc.integer({ min: 2, max: 1000 }), fc.boolean()).map(([depth, asArrays]) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = asArrays ? [value] : { nested: value };
  return value;
});

/**
 * Any JSON a client could put where a parameter goes: wrong types, nesting, hostile strings, and
 * now and then a huge one (rarely, so that bodies of several parameters still fit the limit often).
 */
export const anyJsonValue = (hugeAround: number) =>
  fc.oneof(
    { arbitrary: hostileText(), weight: 8 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 5 },
    { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, -(2 ** 53), '', ' ', [], {}), weight: 4 },
    { arbitrary: deeplyNested, weight: 2 },
    { arbitrary: hugeText(hugeAround), weight: 1 },
  );

/** A parameter object of these names, each absent or any JSON, plus perhaps some unexpected names. */
export const jsonParams = (names: readonly string[], hugeAround: number) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(names.map((name) => [name, anyJsonValue(hugeAround)])), { requiredKeys: [] }),
      fc.dictionary(hostileText(12), anyJsonValue(hugeAround), { maxKeys: 2 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, unknown>);

/** The same for a query string or a form, where every value is text (or repeated text). */
export const textParams = (names: readonly string[], hugeAround: number) => {
  const text = fc.oneof({ arbitrary: hostileText(), weight: 10 }, { arbitrary: hugeText(hugeAround), weight: 1 });
  return fc.record(Object.fromEntries(names.map((name) => [name, fc.oneof(text, fc.array(text, { maxLength: 3 }))])), {
    requiredKeys: [],
  });
};

/** What can go in an HTTP header: visible ASCII. */
export const headerText = fc.stringMatching(/^[\x21-\x7e]{0,300}$/);
