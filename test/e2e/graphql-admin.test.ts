import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, loginAsNewAdmin, newInvitationCode, registerInput, registerUser } from '../helpers/accounts.js';
import { expectGraphqlError } from '../helpers/assertions.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';

interface InvitationCode {
  id: string;
  code: string;
  status: number;
  usageLimit: number;
  usageTimes: number;
  validUntil: string | null;
  creatorId: string | null;
  createdAt: string;
}

const DAY_MS = 24 * 3600 * 1000;

describe('GraphQL admin operations', () => {
  let gw: Gateway;
  let admin: Account;

  beforeAll(async () => {
    gw = await startGateway();
    admin = await loginAsNewAdmin(gw.app, gw.url, 'theadmin1');
  });
  afterAll(async () => gw?.close());

  async function createCodes(variables: Record<string, unknown>): Promise<InvitationCode[]> {
    const answer = await gql(gw.url, ops.createInvitationCodes, variables, admin.token);
    expect(answer.errors).toBeUndefined();
    return answer.data!.createInvitationCodes;
  }

  async function listCodes(): Promise<InvitationCode[]> {
    const answer = await gql(gw.url, ops.invitationCodes, {}, admin.token);
    expect(answer.errors).toBeUndefined();
    return answer.data!.invitationCodes;
  }

  const register = async (code: string) => gql(gw.url, ops.register, { input: await registerInput(gw.url, code) });

  it('creates codes with a count, uses and an expiry, credited to the admin', async () => {
    const before = Date.now();
    const codes = await createCodes({ count: 3, uses: 5, expiresIn: '7d' });
    expect(codes).toHaveLength(3);
    expect(new Set(codes.map((c) => c.code)).size).toBe(3);
    for (const code of codes) {
      expect(code).toMatchObject({ status: 1, usageLimit: 5, usageTimes: 0, creatorId: admin.id });
      const expiry = Date.parse(code.validUntil!);
      expect(expiry).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 2000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS + 2000);
    }
  });

  it('defaults to one single-use code that never expires', async () => {
    const withDefaults = 'mutation { createInvitationCodes { code usageLimit validUntil } }';
    const answer = await gql(gw.url, withDefaults, {}, admin.token);
    expect(answer.data!.createInvitationCodes).toEqual([{ code: expect.any(String), usageLimit: 1, validUntil: null }]);
  });

  it('lists every code, those made outside GraphQL too', async () => {
    const [created] = await createCodes({ count: 1 });
    const fromCli = await newInvitationCode(gw.app);
    const listed = await listCodes();
    expect(listed.find((c) => c.code === created!.code)).toMatchObject({ creatorId: admin.id });
    expect(listed.find((c) => c.code === fromCli)).toMatchObject({ creatorId: null, status: 1 });
  });

  it('revokes a code, which then cannot register anyone', async () => {
    const [code] = await createCodes({ count: 1, uses: 10 });
    const revoked = await gql(gw.url, ops.revokeInvitationCode, { code: code!.code }, admin.token);
    expect(revoked.data).toEqual({ revokeInvitationCode: true });
    expect((await listCodes()).find((c) => c.code === code!.code)).toMatchObject({ status: -1, usageTimes: 0 });
    expectGraphqlError(await register(code!.code), 'INVITATION_INVALID', 10003);
  });

  it('answers NOT_FOUND for revoking a code that does not exist', async () => {
    const answer = await gql(gw.url, ops.revokeInvitationCode, { code: 'NOSUCHCODE' }, admin.token);
    expectGraphqlError(answer, 'NOT_FOUND', 40004);
  });

  it('a code with uses 2 admits exactly two registrations', async () => {
    const [code] = await createCodes({ count: 1, uses: 2 });
    await registerUser(gw.url, code!.code);
    await registerUser(gw.url, code!.code);
    expectGraphqlError(await register(code!.code), 'INVITATION_INVALID', 10003);
    expect((await listCodes()).find((c) => c.code === code!.code)).toMatchObject({ usageLimit: 2, usageTimes: 2 });
    const [{ n }] = await gw.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE invitation_code = ?', [
      code!.code,
    ]);
    expect(Number(n)).toBe(2);
  });

  describe('refuses everyone else', () => {
    const adminOperations: Array<[string, string, Record<string, unknown>]> = [
      ['createInvitationCodes', ops.createInvitationCodes, { count: 1 }],
      ['invitationCodes', ops.invitationCodes, {}],
      ['revokeInvitationCode', ops.revokeInvitationCode, { code: 'ANYCODE' }],
    ];

    it.each(adminOperations)('a plain user gets FORBIDDEN: %s', async (_name, query, variables) => {
      const user = await registerUser(gw.url, await newInvitationCode(gw.app));
      expectGraphqlError(await gql(gw.url, query, variables, user.token), 'FORBIDDEN', 40003);
    });

    it.each(adminOperations)('no token gets UNAUTHENTICATED: %s', async (_name, query, variables) => {
      expectGraphqlError(await gql(gw.url, query, variables), 'UNAUTHENTICATED', 40005);
    });
  });
});
