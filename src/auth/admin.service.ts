import type { UserRecord } from '../db/entities/user.entity.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import { AppError } from '../errors.js';
import type { PasswordHasher } from './password-hasher.js';
import { newUserShape } from './user.rules.js';
import { text, validate } from './validation.js';

/** Administrators, managed from the CLI: no invitation or captcha, the same account rules. */
export class AdminService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly passwordMinLength: number,
  ) {}

  async createAdmin(input: Record<string, unknown>): Promise<UserRecord> {
    const { password, ...fields } = validate(newUserShape(this.passwordMinLength), input);
    if (await this.users.exists(fields.username)) throw new AppError('USERNAME_TAKEN');
    return this.users.createAdmin({ ...fields, password: await this.hasher.hash(password) });
  }

  async grant(username: unknown): Promise<UserRecord> {
    const fields = validate({ username: text('username') }, { username });
    const user = await this.users.setRoleByUsername(fields.username, 'admin');
    if (!user) throw new AppError('NOT_FOUND', {}, `No user "${fields.username}".`);
    return user;
  }
}
