import { AppError } from '../errors.js';

/** Commander's parser of an integer option value. */
export function integerOption(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new AppError('INVALID_INPUT', {}, `"${value}" is not an integer.`);
  return Number(value);
}
