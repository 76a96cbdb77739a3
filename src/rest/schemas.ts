import { BUSINESS_CODES } from '../errors.js';
import { MAX_JSON_DEPTH } from './content-types.js';

// The route schemas describe the routes for the OpenAPI document only: the services validate the
// parameters, so that failures get the legacy envelope and Laravel's wording.

/** The parameters of the legacy routes, as their clients send them (snake_case): nothing else reaches a service. */
export const LOGIN_PARAMS = ['username', 'password'] as const;
export const REGISTER_PARAMS = [
  'name',
  'username',
  'password',
  'password_confirmation',
  'invitation_code',
  'captcha_key',
  'captcha_code',
] as const;

/** What each parameter is, for the OpenAPI document. */
const DESCRIPTIONS: Record<(typeof REGISTER_PARAMS)[number], string> = {
  name: '姓名: 1–255 characters, no control characters',
  username: '账号: ASCII letters and digits, 6–32 characters',
  password: '密码: at least PASSWORD_MIN_LENGTH characters (default 8), at most 72 bytes',
  password_confirmation: '确认密码: equal to password',
  invitation_code: '邀请码',
  captcha_key: '验证码的key (from POST /api/captchas)',
  captcha_code: '验证码的code (case-insensitive)',
};
const CAPTCHA_DESCRIPTIONS = { username: '用户名 (accepted as documented; not required, not used)' };
const LOGIN_DESCRIPTIONS = { username: '用户名', password: '密码' };

const PARAMS_NOTE =
  'Parameters may be sent in the query string, a JSON body or a form-urlencoded body (the body wins).';
const string = { type: 'string' };
const nullableString = { type: ['string', 'null'] };
const date = { type: 'string', description: '`YYYY-MM-DD HH:mm:ss` in APP_TIMEZONE' };
const nullableDate = { ...date, type: ['string', 'null'] };

function query(params: Record<string, string>) {
  const properties = Object.fromEntries(
    Object.entries(params).map(([name, description]) => [name, { ...string, description }]),
  );
  return { type: 'object', properties };
}

function object(properties: Record<string, object>) {
  return { type: 'object', required: Object.keys(properties), properties };
}

const userFields = {
  id: { type: 'integer' },
  name: string,
  username: string,
  email: nullableString,
  email_verified_at: nullableDate,
  phone: nullableString,
  invitation_code: string,
  status: { type: 'integer', description: '1 enabled, 0 inactive, -1 disabled' },
  created_at: nullableDate,
  updated_at: nullableDate,
};

const tokenFields = {
  access_token: string,
  token_type: { type: 'string', enum: ['Bearer'] },
  expires_in: { type: 'integer', description: 'Minutes until the token expires' },
};

const user = object(userFields);
const token = object(tokenFields);

const captcha = object({
  captcha_key: string,
  expired_at: date,
  captcha_image_content: { type: 'string', description: '`data:image/png;base64,…`' },
});

const codes = Object.keys(BUSINESS_CODES).map(Number);

function envelope(data: object, code: number) {
  return object({ data, code: { type: 'integer', enum: [code] }, msg: string });
}

const businessError = {
  type: 'object',
  required: ['data', 'code', 'msg'],
  properties: {
    data: {
      type: ['object', 'null'],
      description: 'null; on a validation failure (10001) the submitted parameters without the passwords',
    },
    code: { type: 'integer', enum: codes.filter((c) => c !== 20001) },
    msg: { type: 'string', description: 'On a validation failure, the first failing rule in English' },
    errors: {
      type: 'object',
      description: 'On a validation failure: the messages of each failing parameter',
      additionalProperties: { type: 'array', items: string },
    },
  },
};

function answer(data: object, description: string) {
  return { description, oneOf: [envelope(data, 20001), businessError] };
}

const failure = (description: string) => ({ ...businessError, description });
const rateLimitHeaders = {
  'X-RateLimit-Limit': { type: 'integer', description: 'Requests allowed per minute' },
  'X-RateLimit-Remaining': { type: 'integer' },
};
const throttled = {
  description: 'Too many requests',
  ...object({ message: { type: 'string', enum: ['Too Many Attempts.'] } }),
  headers: { 'Retry-After': { type: 'integer', description: 'Seconds to wait' }, ...rateLimitHeaders },
};
const common = {
  400: failure(`Unparseable body, or JSON nested deeper than ${MAX_JSON_DEPTH} levels (10001)`),
  413: failure('Body over BODY_LIMIT (10001)'),
  415: failure('Unsupported content type (10001)'),
  429: throttled,
  500: failure('Unexpected failure (50001)'),
  503: failure('A backing service is down (50001)'),
};
const unauthenticated = {
  401: {
    description: 'No valid token, to a client that accepts JSON',
    ...object({ message: { type: 'string', enum: ['Unauthenticated.'] } }),
  },
  302: {
    description: 'No valid token, to any other client: redirect to GET /api/unauthorized',
    type: 'null',
    headers: { Location: string },
  },
};
const tags = ['legacy'];
const tokenSecurity: Record<string, string[]>[] = [{ bearer: [] }, { tokenQuery: [] }];

export const routeSchemas = {
  responseCode: {
    tags,
    summary: 'ResponseCode explain: the business codes and their messages',
    response: {
      200: {
        description: 'The code table',
        ...envelope(object(Object.fromEntries(codes.map((c) => [c, string]))), 20001),
      },
    },
  },
  captchas: {
    tags,
    summary: 'Generate a single-use image captcha',
    description: PARAMS_NOTE,
    querystring: query(CAPTCHA_DESCRIPTIONS),
    response: { 200: answer(captcha, 'The captcha'), ...common },
  },
  register: {
    tags,
    summary: 'Register a user with an invitation code and a captcha; the user is logged in',
    description: PARAMS_NOTE,
    querystring: query(DESCRIPTIONS),
    response: {
      200: answer(object({ ...userFields, ...tokenFields }), 'The new user and a token'),
      ...common,
    },
  },
  login: {
    tags,
    summary: 'Get a JWT via given credentials',
    description: PARAMS_NOTE,
    querystring: query(LOGIN_DESCRIPTIONS),
    response: { 200: answer(token, 'A token'), ...common },
  },
  logout: {
    tags,
    summary: 'Log the user out (invalidate the token)',
    security: tokenSecurity,
    response: { 200: answer({ type: 'null' }, 'Logged out (msg 注销成功)'), ...unauthenticated, ...common },
  },
  refresh: {
    tags,
    summary: 'Trade the token, even expired within the refresh window, for a new one',
    security: tokenSecurity,
    response: { 200: answer(token, 'A new token; the old one is revoked'), ...unauthenticated, ...common },
  },
  me: {
    tags,
    summary: 'Get the authenticated user',
    security: tokenSecurity,
    response: { 200: answer(user, 'The user'), ...unauthenticated, ...common },
  },
  unauthorized: {
    tags,
    summary: 'Where clients that do not accept JSON are sent without a valid token',
    response: { 200: { description: 'Always 40005 授权过期', ...envelope({ type: 'null' }, 40005) } },
  },
};
