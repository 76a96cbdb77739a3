import type { MikroORM } from '@mikro-orm/core';
import { AdminService } from './auth/admin.service.js';
import { AuthService } from './auth/auth.service.js';
import { CaptchaService } from './auth/captcha.service.js';
import { InvitationService } from './auth/invitation.service.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { ThrottleService } from './auth/throttle.service.js';
import { TokenService } from './auth/token.service.js';
import type { Config } from './config.js';
import type { KeyValueStore } from './store/store.js';

export interface Services {
  orm: MikroORM;
  store: KeyValueStore;
  hasher: PasswordHasher;
  tokens: TokenService;
  auth: AuthService;
  invitations: InvitationService;
  admin: AdminService;
}

/** The domain services, wired once for the server: both transports call these same instances. */
export function createServices(config: Config, orm: MikroORM, store: KeyValueStore): Services {
  const hasher = new PasswordHasher(config.passwords.cost, config.passwords.poolSize);
  const tokens = new TokenService(config.jwt, store);
  const auth = new AuthService({
    orm,
    hasher,
    tokens,
    captchas: new CaptchaService(config.captcha, store),
    throttle: new ThrottleService(config.limits, store),
    passwordMinLength: config.passwords.minLength,
  });
  return {
    orm,
    store,
    hasher,
    tokens,
    auth,
    invitations: new InvitationService(orm),
    admin: new AdminService(orm, hasher, config.passwords.minLength),
  };
}
