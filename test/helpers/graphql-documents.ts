/** `responseCodes` wrapped in inline fragments: `depth` levels of selection in all. */
export function queryOfDepth(depth: number): string {
  const fragments = depth - 2;
  return `{ ${'... on Query { '.repeat(fragments)}responseCodes { code }${' }'.repeat(fragments)} }`;
}

export function queryWithAliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: responseCodes { code }`).join(' ')} }`;
}

/** Fragments each spreading the one before twice: 2^levels copies of one field once expanded. */
export function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment f${i + 1} on Query { ...f${i} ...f${i} }`);
  return `{ ...f${levels} } fragment f0 on Query { responseCodes { code } } ${fragments.join(' ')}`;
}
