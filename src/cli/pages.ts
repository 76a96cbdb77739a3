import type { Page } from '../admin/cursor.js';
import { MAX_PAGE } from '../audit/audit-log.js';

/** Up to `limit` nodes of a connection, read a page (of at most MAX_PAGE) at a time. */
export async function readPages<T>(
  limit: number,
  page: (first: number, after: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | undefined;
  while (nodes.length < limit) {
    const { edges, hasNextPage, endCursor } = await page(Math.min(MAX_PAGE, limit - nodes.length), after);
    nodes.push(...edges.map((edge) => edge.node));
    if (!hasNextPage || endCursor === null) break;
    after = endCursor;
  }
  return nodes;
}
