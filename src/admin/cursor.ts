import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Opaque page cursors: the last row's id, bound to the list and the filter that gave it, so a
 * cursor of another list or another search is refused rather than silently mixing pages.
 */
export interface CursorCodec {
  encode(id: number, filter: object): string;
  /** The id after which the next page starts (0: the first page); BAD_USER_INPUT for a cursor it did not make. */
  decode(cursor: string | undefined, filter: object): number;
}

const bindingOf = (list: string, filter: object): string =>
  createHash('sha256').update(list).update(JSON.stringify(filter)).digest('base64url').slice(0, 12);

export function cursorCodec(list: string): CursorCodec {
  const refuse = () => AppError.invalid({ after: ['The cursor is not one this list gave for this filter.'] });
  return {
    encode: (id, filter) => Buffer.from(`${id}.${bindingOf(list, filter)}`).toString('base64url'),
    decode(cursor, filter) {
      if (cursor === undefined) return 0;
      const match = /^([1-9]\d{0,15})\.([\w-]{12})$/.exec(Buffer.from(cursor, 'base64url').toString());
      if (!match || match[2] !== bindingOf(list, filter)) throw refuse();
      const id = Number(match[1]);
      if (!Number.isSafeInteger(id)) throw refuse();
      return id;
    },
  };
}

/** A page of a Relay connection. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A page from `limit + 1` rows read: the extra one only tells that there is a next page. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  idOf: (row: T) => number,
  cursorOf: (id: number) => string,
): Page<T> {
  const edges = rows.slice(0, limit).map((node) => ({ cursor: cursorOf(idOf(node)), node }));
  return { edges, hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null };
}
