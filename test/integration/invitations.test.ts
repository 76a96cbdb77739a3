import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { registerInput } from '../helpers/accounts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';

describe('invitation codes', () => {
  const gateway = useGateway();

  it('a code repeated in legacy rows: registration takes a use of the oldest usable row', async () => {
    const { db, url } = gateway();
    await db.query(
      'INSERT INTO invitation_codes (code, status, user_id, usage_limit, usage_times, valid_until) VALUES ' +
        "('TWICE2020', 1, 1, 1, 1, NULL), ('TWICE2020', 1, 1, 5, 0, '2020-01-01 00:00:00'), ('TWICE2020', 1, 1, 2, 0, NULL)",
    );
    const answer = await gql(url, ops.register, {
      input: await registerInput(url, 'TWICE2020', { username: 'twice001' }),
    });
    expect(answer.errors).toBeUndefined();
    const rows = await db.query<{ usage_times: number }>(
      "SELECT usage_times FROM invitation_codes WHERE code = 'TWICE2020' ORDER BY id",
    );
    expect(rows.map((r) => r.usage_times)).toEqual([1, 0, 1]);
  });

  it('refuses an expiry it cannot store, with the field named, and stores nothing', async () => {
    const { app, db } = gateway();
    const before = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM invitation_codes');
    for (const expiresIn of ['99999999999y', 'soon', '-5d', '0s']) {
      const failure = await app.services.invitations
        .create({ expiresIn }, { userId: null })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).details.fieldErrors).toEqual({ expiresIn: ['The expires in format is invalid.'] });
    }
    expect(await db.query('SELECT COUNT(*) AS n FROM invitation_codes')).toEqual(before);
  });
});
