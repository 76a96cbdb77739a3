import autocannon from 'autocannon';

/** How long past its duration a run may take before it is stopped regardless. */
const OVERRUN_MS = 30_000;

export interface LoadSpec {
  url: string;
  /** Cycled through by every connection. */
  requests: autocannon.Request[];
  /** A response counts as a success only if its body passes this (GraphQL and REST errors answer 200). */
  verify: (body: string) => boolean;
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; unset means as fast as the server answers. */
  overallRate?: number;
  timeoutSeconds?: number;
}

export interface LoadResult {
  /** Verified successes per second. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  errors: number;
  timeouts: number;
  /** CPU the server process spent per success, all its threads; independent of the load generator's share of the machine. */
  serverCpuMsPerRequest?: number | null;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        requests: spec.requests,
        verifyBody: (body) => spec.verify(String(body)),
        connections: spec.connections,
        duration: spec.durationSeconds,
        overallRate: spec.overallRate,
        timeout: spec.timeoutSeconds ?? 10,
      },
      (err, result) => {
        clearTimeout(guard);
        if (err) return reject(err);
        const answered = result['2xx'] + result.non2xx;
        const ok = Math.max(0, answered - result.mismatches);
        resolve({
          requestsPerSecond: ok / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          ok,
          failed: answered - ok,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    const guard = setTimeout(() => instance.stop(), spec.durationSeconds * 1000 + OVERRUN_MS);
  });
}
