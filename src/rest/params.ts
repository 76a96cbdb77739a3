import type { FastifyRequest } from 'fastify';
import type { FieldErrors } from '../errors.js';
import { bearerToken } from '../http/client-context.js';

export type Params = Record<string, unknown>;

const NOT_ECHOED = new Set(['password', 'password_confirmation']);

function asParams(value: unknown): Params {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Params) : {};
}

const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Laravel's `$request->all()`: the query string and a JSON or form body, the body winning. */
export function requestParams(request: FastifyRequest): Params {
  return { ...asParams(request.query), ...asParams(request.body) };
}

/** jwt-auth's order: the `Authorization: Bearer` header, else a `token` parameter. */
export function presentedToken(request: FastifyRequest, params: Params): string | undefined {
  const { token } = params;
  return bearerToken(request) ?? (typeof token === 'string' && token !== '' ? token : undefined);
}

/** The named REST parameters under the services' camelCase names; nothing else reaches the service. */
export function serviceInput(params: Params, names: readonly string[]): Params {
  return Object.fromEntries(names.map((name) => [camelCase(name), params[name]]));
}

/** A validation failure echoes the submitted parameters, never the passwords. */
export function echoedParams(params: Params): Params {
  return Object.fromEntries(Object.entries(params).filter(([name]) => !NOT_ECHOED.has(name)));
}

/** The services name fields in camelCase; REST clients sent them in snake_case. */
export function restFieldErrors(fieldErrors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(fieldErrors).map(([field, list]) => [snakeCase(field), list]));
}
