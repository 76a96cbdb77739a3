import { type KeyObject, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { publishedKeysVariable, signingKeyVariable } from './auth/identity-keys.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
/** A whole number within bounds; the message names the value that is not one. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().transform((raw, ctx) => {
    const value = Number(raw.trim());
    if (/^\d+$/.test(raw.trim()) && value >= min && value <= max) return value;
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    ctx.addIssue({ code: 'custom', message: `expected a whole number ${range}, got "${raw}"` });
    return z.NEVER;
  });
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
/** `host:port,host:port` (IPv6 hosts in brackets) into the nodes ioredis takes. */
const nodes = list
  .pipe(z.array(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port entries')))
  .transform((entries) => entries.map(parseNode));
const offset = z.string().regex(/^(Z|[+-]\d{2}:\d{2})$/, 'expected Z or an offset like +08:00');
const sessionZone = z
  .string()
  .regex(/^(server|Z|[+-]\d{2}:\d{2})$/, 'expected server (keep the MySQL server default), Z or an offset like +08:00');

/** MySQL and MariaDB both accept session offsets from -12:59 to +13:00, minutes below 60. */
function sessionOffsetAccepted(zone: string): boolean {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (!match) return true; // server or Z
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return Number(match[3]) < 60 && (match[1] === '+' ? minutes <= 13 * 60 : minutes < 13 * 60);
}

function parseNode(entry: string): RedisNode {
  const colon = entry.lastIndexOf(':');
  return { host: entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(entry.slice(colon + 1)) };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** DB_SESSION_TIMEZONE as MySQL takes it (`Z` spelled `+00:00`), or null for `server`: keep the server's default. */
const sessionTimeZone = (zone: string): string | null => (zone === 'server' ? null : zone === 'Z' ? '+00:00' : zone);

/** Every environment variable storegate reads, with its default. `.env.example` mirrors this. */
const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).optional(),
    PORT: int(0, 65535).default('4000'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: bool.optional(),

    DATABASE_URL: z
      .string()
      .regex(/^mysql:\/\/.+/, 'expected a mysql://user:password@host:port/database URL')
      .optional(),
    SQLITE_PATH: z.string().min(1).default('data/storegate.sqlite'),
    DB_TIMEZONE: offset.default('+08:00'),
    DB_SESSION_TIMEZONE: sessionZone.optional(),
    DB_POOL_MAX: int(1).default('10'),

    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/.+/, 'expected a redis:// or rediss:// URL')
      .optional(),
    REDIS_SENTINELS: nodes.optional(),
    REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
    REDIS_CLUSTER_NODES: nodes.optional(),
    REDIS_PASSWORD: z.string().optional(),
    REDIS_KEY_PREFIX: z.string().default('storegate:'),

    JWT_SECRET: z.string().optional(),
    JWT_TTL: int(1).default('60'),
    JWT_REFRESH_TTL: int(1).default('20160'),
    JWT_BLACKLIST_GRACE_PERIOD: int(0).default('0'),
    REFRESH_REUSE_INTERVAL: int(0).default('10'),
    LEGACY_JWT_PRV: z.string().default('23bd5c8949f600adb39e701c400872db7a5976f7'),

    BCRYPT_COST: int(4, 15).default('10'),
    BCRYPT_POOL_SIZE: int(0).default('0'),
    PASSWORD_MIN_LENGTH: int(1, 72).default('8'),
    PASSWORD_RESET_TTL: int(60).default('3600'),
    AUDIT_RETENTION_DAYS: int(1).default('90'),

    CAPTCHA_TTL: int(1).default('180'),
    CAPTCHA_FIXED_CODE: z.string().min(1).max(16).optional(),

    RATE_LIMIT_SIGN: int(0).default('10'),
    RATE_LIMIT_ACCESS: int(0).default('60'),
    LOGIN_MAX_ATTEMPTS: int(1).default('5'),
    LOGIN_LOCK_SECONDS: int(1).default('60'),
    TRUST_PROXY: z
      .string()
      .refine(
        (v) => v !== 'true',
        "true would trust every X-Forwarded-For hop, so any client could choose its IP: give the proxies' addresses or the number of proxy hops",
      )
      .default('false'),

    BODY_LIMIT: int(1024).default('102400'),
    REQUEST_TIMEOUT: int(1, 3600).default('30'),
    CORS_ORIGINS: list.default(''),
    GRAPHQL_INTROSPECTION: bool.optional(),
    GRAPHQL_SANDBOX: bool.optional(),
    GRAPHQL_MAX_DEPTH: int(1).default('10'),
    GRAPHQL_MAX_ALIASES: int(1).default('15'),
    GRAPHQL_MAX_TOKENS: int(100).default('1000'),

    APP_TIMEZONE: z.string().refine(isTimeZone, 'unknown time zone').default('Asia/Shanghai'),

    // The identity assertion /auth/verify hands the services behind the proxy.
    IDENTITY_TOKEN_KEY: signingKeyVariable.optional(),
    IDENTITY_TOKEN_PREVIOUS_KEYS: publishedKeysVariable.optional(),
    IDENTITY_TOKEN_AUDIENCE: z.string().min(1).default('storegate-upstream'),
    IDENTITY_TOKEN_ISSUER: z.string().min(1).default('storegate'),
  })
  .superRefine((env, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const redisSources = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;
    const redisSet = redisSources.filter((name) => env[name]?.length);
    if (redisSet[1]) problem(redisSet[1], `set only one of ${redisSources.join(', ')}`);
    const sessionTimezone = env.DB_SESSION_TIMEZONE ?? env.DB_TIMEZONE;
    if (env.DATABASE_URL && !sessionOffsetAccepted(sessionTimezone)) {
      const from = env.DB_SESSION_TIMEZONE ? '' : ' (from DB_TIMEZONE)';
      problem(
        'DB_SESSION_TIMEZONE',
        `${sessionTimezone}${from} is not a session time_zone MySQL and MariaDB accept (-12:59 to +13:00): set one in that range, or server`,
      );
    }
    if (env.NODE_ENV !== 'production') return;
    if (!env.DATABASE_URL) problem('DATABASE_URL', 'required in production (mysql://…)');
    if (!redisSet.length) {
      problem('REDIS_URL', 'required in production (redis://…), or REDIS_SENTINELS or REDIS_CLUSTER_NODES');
    }
    if (!env.JWT_SECRET) problem('JWT_SECRET', 'required in production (at least 32 bytes)');
    else if (Buffer.byteLength(env.JWT_SECRET) < 32) problem('JWT_SECRET', 'must be at least 32 bytes in production');
  });

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(value: string): false | number | readonly string[] {
  if (['false', '0', ''].includes(value)) return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The configuration, parsed once from the environment: its type is what `loadConfig` builds. */
export type Config = ReturnType<typeof loadConfig>;

/** Parses the environment once into a frozen Config, or throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];

  let secret = env.JWT_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    warnings.push('JWT_SECRET is not set: a random secret was generated, so every token dies with this process.');
  }
  let fixedCode = env.CAPTCHA_FIXED_CODE;
  if (fixedCode && production) {
    warnings.push('CAPTCHA_FIXED_CODE is ignored in production.');
    fixedCode = undefined;
  }

  return deepFreeze({
    env: env.NODE_ENV,
    host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    db: env.DATABASE_URL
      ? {
          kind: 'mysql' as const,
          url: env.DATABASE_URL,
          timezone: env.DB_TIMEZONE,
          /** The session `time_zone` set on every connection, as MySQL takes it; null keeps the server's default. */
          sessionTimezone: sessionTimeZone(env.DB_SESSION_TIMEZONE ?? env.DB_TIMEZONE),
          poolMax: env.DB_POOL_MAX,
        }
      : { kind: 'sqlite' as const, path: env.SQLITE_PATH, timezone: env.DB_TIMEZONE },
    redis: {
      url: env.REDIS_URL,
      sentinels: env.REDIS_SENTINELS,
      sentinelName: env.REDIS_SENTINEL_NAME,
      clusterNodes: env.REDIS_CLUSTER_NODES,
      password: env.REDIS_PASSWORD,
      keyPrefix: env.REDIS_KEY_PREFIX,
    },
    jwt: {
      secret,
      ttlMinutes: env.JWT_TTL,
      refreshTtlMinutes: env.JWT_REFRESH_TTL,
      prv: env.LEGACY_JWT_PRV,
    },
    sessions: { graceSeconds: env.JWT_BLACKLIST_GRACE_PERIOD, reuseIntervalSeconds: env.REFRESH_REUSE_INTERVAL },
    passwords: {
      cost: env.BCRYPT_COST,
      poolSize: env.BCRYPT_POOL_SIZE,
      minLength: env.PASSWORD_MIN_LENGTH,
      resetTtlSeconds: env.PASSWORD_RESET_TTL,
    },
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS },
    captcha: { ttlSeconds: env.CAPTCHA_TTL, fixedCode },
    limits: {
      signPerMinute: env.RATE_LIMIT_SIGN,
      accessPerMinute: env.RATE_LIMIT_ACCESS,
      loginMaxAttempts: env.LOGIN_MAX_ATTEMPTS,
      loginLockSeconds: env.LOGIN_LOCK_SECONDS,
    },
    http: {
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      bodyLimit: env.BODY_LIMIT,
      requestTimeoutSeconds: env.REQUEST_TIMEOUT,
      corsOrigins: env.CORS_ORIGINS,
    },
    graphql: {
      introspection: env.GRAPHQL_INTROSPECTION ?? !production,
      sandbox: env.GRAPHQL_SANDBOX ?? !production,
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
    },
    appTimezone: env.APP_TIMEZONE,
    /** Without a signing key /auth/verify sends no assertion and the JWKS is empty. */
    identity: {
      signingKey: env.IDENTITY_TOKEN_KEY,
      /** Retired (or not yet used) keys: published, never signed with. */
      previousKeys: env.IDENTITY_TOKEN_PREVIOUS_KEYS ?? [],
      audience: env.IDENTITY_TOKEN_AUDIENCE,
      issuer: env.IDENTITY_TOKEN_ISSUER,
    },
    /** Start-up remarks the server logs once it has a logger (a generated secret, an ignored test code). */
    warnings,
  });
}

type DeepReadonly<T> = T extends KeyObject
  ? T
  : T extends (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Freezes plain objects and arrays all the way down; instances (keys) are left as they are. */
function deepFreeze<T>(value: T): DeepReadonly<T> {
  const plain =
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype);
  if (plain) {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
