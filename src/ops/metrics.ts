import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { PasswordHasher } from '../auth/password-hasher.js';
import { passwordPoolMetrics } from './password-pool.metrics.js';

export type Transport = 'rest' | 'graphql';

/** One answered operation: a REST route, or one root field of a GraphQL request. */
export interface OperationResult {
  transport: Transport;
  /** `POST /api/auth/login` for REST, the root field (`login`) for GraphQL. */
  operation: string;
  /** The business code (REST) or `extensions.code` (GraphQL), `OK` for a GraphQL success. */
  outcome: string;
  seconds: number;
}

interface Vocabulary {
  login: string;
  throttled: string;
  /** Login outcomes that are failures, and the reason each is counted under. */
  loginFailures: Record<string, string>;
}

/** The same events told in each transport's words: REST speaks business codes and statuses. */
const VOCABULARY: Record<Transport, Vocabulary> = {
  rest: {
    login: 'POST /api/auth/login',
    throttled: '429',
    loginFailures: { 10003: 'invalid_credentials', 40001: 'account_disabled' },
  },
  graphql: {
    login: 'login',
    throttled: 'TOO_MANY_REQUESTS',
    loginFailures: { INVALID_CREDENTIALS: 'invalid_credentials', ACCOUNT_DISABLED: 'account_disabled' },
  },
};

export interface Metrics {
  readonly registry: Registry;
  record(result: OperationResult): void;
  /** Audit entries that could not be written. */
  auditWriteFailures(lost: number): void;
  close(): void;
}

/** A registry of its own per app, so several apps in one process never share or clash. */
export function createMetrics(hasher: PasswordHasher): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  passwordPoolMetrics(registry, hasher);

  const requests = new Counter({
    name: 'storegate_requests_total',
    help: 'Answered operations by transport, operation and outcome.',
    labelNames: ['transport', 'operation', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'storegate_request_duration_seconds',
    help: 'Time to answer an operation, by transport and operation.',
    labelNames: ['transport', 'operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const loginFailures = new Counter({
    name: 'storegate_login_failures_total',
    help: 'Failed logins: wrong username or password, or a disabled account.',
    labelNames: ['transport', 'reason'] as const,
    registers,
  });
  const throttled = new Counter({
    name: 'storegate_throttled_requests_total',
    help: 'Operations refused by a rate limit or a login lock.',
    labelNames: ['transport', 'operation'] as const,
    registers,
  });

  const auditFailures = new Counter({
    name: 'storegate_audit_write_failures_total',
    help: 'Audit log entries that could not be written (the requests they record were answered).',
    registers,
  });

  return {
    registry,
    auditWriteFailures: (lost) => auditFailures.inc(lost),
    record({ transport, operation, outcome, seconds }) {
      requests.inc({ transport, operation, outcome });
      duration.observe({ transport, operation }, seconds);
      const words = VOCABULARY[transport];
      if (outcome === words.throttled) throttled.inc({ transport, operation });
      const reason = operation === words.login ? words.loginFailures[outcome] : undefined;
      if (reason) loginFailures.inc({ transport, reason });
    },
    close() {
      registry.clear();
    },
  };
}
