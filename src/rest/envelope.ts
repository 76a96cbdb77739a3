import type { FastifyReply } from 'fastify';
import { BUSINESS_CODES, type BusinessCode, type FieldErrors } from '../errors.js';

/** The legacy answer to every business outcome. */
export interface Envelope<T = unknown> {
  data: T;
  code: BusinessCode;
  msg: string;
  /** A validation failure's messages by field. */
  errors?: FieldErrors;
}

export function envelope<T>(data: T, code: BusinessCode, msg: string = BUSINESS_CODES[code]): Envelope<T> {
  return { data, code, msg };
}

export function success<T>(data: T, msg?: string): Envelope<T> {
  return envelope(data, 20001, msg);
}

/** Answers an envelope with the status, noting its code for the metrics. */
export function sendEnvelope(reply: FastifyReply, status: number, answer: Envelope): FastifyReply {
  reply.envelopeCode = answer.code;
  return reply.code(status).send(answer);
}
