type QueryCallback = (err: { code?: string } | null, rows?: unknown, fields?: unknown) => void;

/** The part of a mysql2 connection the pool hooks need. */
export interface RawConnection {
  query(options: unknown, values?: unknown, callback?: QueryCallback): unknown;
  destroy(): void;
}

export type AfterCreate = (
  connection: RawConnection,
  done: (err: Error | null, connection: RawConnection) => void,
) => void;

const TIMED_OUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * A pool `afterCreate` hook giving every query of the connection a timeout: mysql2 only has one
 * per query, and a server that hangs with its connections open would otherwise hold requests
 * forever. A connection whose query timed out is destroyed, so the pool replaces it rather than
 * queueing the next query behind the lost one. The options object is set in place: knex builds
 * a fresh one for every query, so nothing else sees the change.
 */
export function queryTimeout(ms: number): AfterCreate {
  return (connection, done) => {
    const query = connection.query.bind(connection);
    connection.query = (options, values, callback) => {
      if (options === null || typeof options !== 'object' || typeof callback !== 'function') {
        return query(options, values, callback);
      }
      const timed = options as { timeout?: number };
      timed.timeout ??= ms;
      return query(options, values, (err, rows, fields) => {
        if (err?.code === TIMED_OUT) connection.destroy();
        callback(err, rows, fields);
      });
    };
    done(null, connection);
  };
}
