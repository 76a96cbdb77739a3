import { ConfigError, loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';

/** The AppError a call throws or rejects with; fails the test when it succeeds or fails otherwise. */
export async function appErrorOf(call: () => unknown): Promise<AppError> {
  try {
    await call();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, but nothing was thrown');
}

/** What `loadConfig` says is wrong with an environment: none when it loads. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The middle value (the upper one of an even count). */
export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
