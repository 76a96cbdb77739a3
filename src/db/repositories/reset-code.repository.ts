import type { MikroORM } from '@mikro-orm/core';
import { PasswordResetCode } from '../entities/password-reset-code.entity.js';
import { guarded } from '../outage.js';

/** The `password_reset_codes` table: at most one pending code per user, as its hash. */
export class ResetCodeRepository {
  constructor(private readonly orm: MikroORM) {}

  /** Stores the user's code, replacing (voiding) the one before. */
  async replace(userId: number, codeHash: string, expiresAt: Date): Promise<void> {
    await guarded(() =>
      this.orm.em
        .fork()
        .upsert(
          PasswordResetCode,
          { userId, codeHash, expiresAt, createdAt: new Date() },
          { onConflictFields: ['userId'] },
        ),
    );
  }

  /** Deletes the user's code if it is this one and unexpired, in one statement: true for the one caller that did. */
  consume(userId: number, codeHash: string): Promise<boolean> {
    return guarded(async () => {
      const deleted = await this.orm.em
        .fork()
        .nativeDelete(PasswordResetCode, { userId, codeHash, expiresAt: { $gt: new Date() } });
      return deleted === 1;
    });
  }
}
