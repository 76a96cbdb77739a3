import { BUSINESS_CODES, type BusinessCode } from '../errors.js';

/** The legacy answer to every business outcome (a validation failure adds `errors`). */
export interface Envelope<T = unknown> {
  data: T;
  code: BusinessCode;
  msg: string;
}

export function envelope<T>(data: T, code: BusinessCode, msg: string = BUSINESS_CODES[code]): Envelope<T> {
  return { data, code, msg };
}

export function success<T>(data: T, msg?: string): Envelope<T> {
  return envelope(data, 20001, msg);
}
