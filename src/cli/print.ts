/** Prints values as a JSON array (`--json`) or as one line each. */
export function print<T>(
  values: readonly T[],
  json: boolean | undefined,
  asJson: (v: T) => unknown,
  asLine: (v: T) => string,
): void {
  if (json) console.log(JSON.stringify(values.map(asJson), null, 2));
  else if (values.length) console.log(values.map(asLine).join('\n'));
}

export const isoOrNull = (date: Date | null): string | null => date?.toISOString() ?? null;
