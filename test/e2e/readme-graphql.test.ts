import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SECTIONS = ['Sessions', 'Changing and resetting a password', 'Your activity'];

interface Example {
  section: string;
  query: string;
  variables: Record<string, unknown>;
}

/** The text of a `## ` section of the README, to the next one. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section "${title}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Each ```graphql block of the sections, with the ```json block of variables right after it, if any. */
function examples(): Example[] {
  return SECTIONS.flatMap((title) =>
    [...section(title).matchAll(/```graphql\n([\s\S]*?)```(?:\s*```json\n([\s\S]*?)```)?/g)].map((m) => ({
      section: title,
      query: m[1]!,
      variables: m[2] ? JSON.parse(m[2]) : {},
    })),
  );
}

/** The README's user, password, session id and reset code; the test gives them real values. */
const README_USER = { username: 'alice01', password: 'correct horse' };
const README_SESSION_ID = 'q3Xv9kT2mN8sL4wZ';
const README_RESET_CODE = 'K7QM-2XHR-T4PA-9WNE';

describe('README: the GraphQL examples of sessions, password change and activity', () => {
  const gateway = useGateway();

  it('has the examples, each a named operation', () => {
    const found = examples();
    expect(found.map((example) => /^(query|mutation) (\w+)/.exec(example.query)?.[2])).toEqual([
      'Sessions',
      'RevokeSession',
      'RevokeOtherSessions',
      'ChangePassword',
      'ResetPassword',
      'MyActivity',
    ]);
  });

  it('runs every one of them, in order, against a started gateway', async () => {
    const { url, db, app } = gateway();
    const id = await insertUser(db, README_USER.username, { passwordHash: legacyHash(README_USER.password, 4) });
    const signIn = async (password: string) => {
      const answer = await gql(url, ops.login, { input: { username: README_USER.username, password } });
      expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
      return answer.data!.login.accessToken as string;
    };
    const [lostPhone, laptop] = [await signIn(README_USER.password), await signIn(README_USER.password)];
    let token = await signIn(README_USER.password);
    const { code } = await app.services.passwords.issueReset(id, { userId: null });
    const realValues: Record<string, string> = {
      [README_SESSION_ID]: claimsOf(lostPhone).sid,
      [README_RESET_CODE]: code,
    };

    for (const example of examples()) {
      const variables = JSON.parse(
        JSON.stringify(example.variables, (_key, value) =>
          typeof value === 'string' ? (realValues[value] ?? value) : value,
        ),
      );
      const answer = await gql(url, example.query, variables, token);
      expect(answer.errors, `${example.section}: ${example.query}`).toBeUndefined();
      const [field, result] = Object.entries(answer.data!)[0]!;
      switch (field) {
        case 'sessions':
          expect(result).toHaveLength(3);
          break;
        case 'revokeSession':
          expect(result).toBe(true);
          expect(errorOf(await gql(url, ops.me, {}, lostPhone))?.code).toBe('UNAUTHENTICATED');
          break;
        case 'revokeOtherSessions':
          expect(result).toBe(1);
          expect(errorOf(await gql(url, ops.me, {}, laptop))?.code).toBe('UNAUTHENTICATED');
          break;
        case 'changePassword':
          token = (result as { accessToken: string }).accessToken;
          await signIn(variables.input.newPassword);
          break;
        case 'resetPassword':
          expect(result).toBe(true);
          expect(errorOf(await gql(url, ops.me, {}, token))?.code).toBe('UNAUTHENTICATED');
          token = await signIn(variables.input.newPassword);
          break;
        case 'myActivity':
          expect((result as Array<{ type: string }>).map((event) => event.type)).toEqual(
            expect.arrayContaining(['session_revoked', 'password_changed', 'password_reset', 'login_succeeded']),
          );
          break;
        default:
          throw new Error(`an example the test does not know: ${field}`);
      }
    }
  });
});
