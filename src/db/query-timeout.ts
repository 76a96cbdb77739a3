/** The part of a mysql2 connection the timeout needs. */
interface RawConnection {
  query(options: unknown, ...rest: unknown[]): unknown;
  destroy(): void;
}

type AfterCreate = (connection: RawConnection, done: (err: Error | null, connection: RawConnection) => void) => void;

const TIMED_OUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * A pool `afterCreate` hook giving every query of the connection a timeout: mysql2 only has one
 * per query, and a server that hangs with its connections open would otherwise hold requests
 * forever. A connection whose query timed out is destroyed, so the pool replaces it rather than
 * queueing the next query behind the lost one.
 */
export function queryTimeout(ms: number): AfterCreate {
  return (connection, done) => {
    const query = connection.query.bind(connection);
    connection.query = (options, ...rest) => {
      if (options === null || typeof options !== 'object' || 'timeout' in options) return query(options, ...rest);
      const callback = rest.at(-1);
      if (typeof callback === 'function') {
        rest[rest.length - 1] = (err: { code?: string } | null, ...results: unknown[]) => {
          if (err?.code === TIMED_OUT) connection.destroy();
          callback(err, ...results);
        };
      }
      return query({ ...options, timeout: ms }, ...rest);
    };
    done(null, connection);
  };
}
