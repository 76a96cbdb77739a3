/** A fixed-window counter with an optional lock, backed by rate-limiter-flexible. */
export interface Counter {
  /** Counts one hit; `allowed` is false once the limit is passed (and while the key is locked). */
  hit(key: string): Promise<CounterState>;
  /** Reads the state without counting. */
  peek(key: string): Promise<CounterState>;
  /** Locks the key for `seconds`. */
  lock(key: string, seconds: number): Promise<void>;
  reset(key: string): Promise<void>;
}

export interface CounterState {
  allowed: boolean;
  /** Hits so far in the current window. */
  count: number;
  remaining: number;
  /** Seconds until the window (or lock) ends. */
  retryAfter: number;
}

export interface CounterOptions {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** A field of a hash, and until when (unix seconds) the hash must at least be kept. */
export interface FieldWrite {
  key: string;
  field: string;
  value: string;
  keepUntil: number;
}

export interface GuardedFields {
  /** The marker's value, or null when it is gone: the store lost what was written before it. */
  marker: string | null;
  /** The fields asked for, null where absent. */
  values: (string | null)[];
}

/**
 * The shared state of storegate (captchas, revoked tokens, throttles). Redis in production, an
 * in-process TTL map in the embedded mode; both pass the same contract tests. Every failure is
 * an AppError: an unreachable store is SERVICE_UNAVAILABLE.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Without a TTL the entry stays until the store loses it. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Stores only when the key is absent; true when this call stored it (atomic). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Reads and deletes in one atomic step: of concurrent callers, one gets the value. */
  take(key: string): Promise<string | null>;
  /** Reads fields of one hash and a marker key in one round trip, so a loss of the hash shows. */
  readFields(key: string, fields: readonly string[], marker: string): Promise<GuardedFields>;
  /** Sets a field (only when absent, with `ifAbsent`: true when this call set it); the hash lives at least until `keepUntil`. */
  writeField(write: FieldWrite, options?: { ifAbsent?: boolean }): Promise<boolean>;
  /** Sets many fields at once (pipelined). */
  writeFields(writes: readonly FieldWrite[]): Promise<void>;
  counter(options: CounterOptions): Counter;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
