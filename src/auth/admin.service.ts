import { type MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { User } from '../db/entities/user.entity.js';
import { findUserByUsername } from '../db/user.queries.js';
import { AppError } from '../errors.js';
import type { PasswordHasher } from './password-hasher.js';
import { newUserShape } from './user.rules.js';
import { text, validate } from './validation.js';

/** Administrators, managed from the CLI: no invitation or captcha, the same account rules. */
export class AdminService {
  constructor(
    private readonly orm: MikroORM,
    private readonly hasher: PasswordHasher,
    private readonly passwordMinLength: number,
  ) {}

  async createAdmin(input: Record<string, unknown>): Promise<User> {
    const fields = validate(newUserShape(this.passwordMinLength), input);
    const em = this.orm.em.fork();
    if (await findUserByUsername(em, fields.username)) throw new AppError('USERNAME_TAKEN');
    const user = em.create(User, {
      name: fields.name,
      username: fields.username,
      password: await this.hasher.hash(fields.password),
      invitationCode: '',
      role: 'admin',
    });
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError('USERNAME_TAKEN', { cause: err });
      throw err;
    }
    return user;
  }

  async grant(username: unknown): Promise<User> {
    const fields = validate({ username: text('username') }, { username });
    const em = this.orm.em.fork();
    const user = await findUserByUsername(em, fields.username);
    if (!user) throw new AppError('NOT_FOUND', {}, `No user "${fields.username}".`);
    user.role = 'admin';
    await em.flush();
    return user;
  }
}
