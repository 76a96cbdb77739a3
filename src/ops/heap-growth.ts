import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';
/** The old space may grow by this much over what the last major collection kept. */
const GROWTH_PERCENT = 30;

/**
 * The V8 flag that bounds the heap's growth between major collections, unless the operator set it
 * (NODE_OPTIONS or node's own arguments). Left to itself, V8 on a machine with memory to spare
 * lets the old space grow to several times what is live before it collects, so the resident size
 * climbs well above the working set at the start of load and stays there between collections.
 */
export function heapGrowthFlag(
  nodeOptions = process.env.NODE_OPTIONS ?? '',
  execArgv = process.execArgv,
): string | null {
  // V8 takes its flags with dashes or underscores.
  const given = [...nodeOptions.split(/\s+/), ...execArgv].some((arg) => arg.replaceAll('_', '-').startsWith(FLAG));
  return given ? null : `${FLAG}=${GROWTH_PERCENT}`;
}

/** Applies it once, at start: V8 reads the factor at every collection. */
export function boundHeapGrowth(): void {
  const flag = heapGrowthFlag();
  if (flag) setFlagsFromString(flag);
}
