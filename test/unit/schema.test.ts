import { readFile } from 'node:fs/promises';
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSchema, printSdl } from '../../src/graphql/schema.js';

const SECRET_FIELDS = ['password', 'rememberToken', 'remember_token'];

describe('GraphQL schema', () => {
  it('matches the committed schema.graphql', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed, 'schema.graphql differs from the code: run `npm run schema` and commit the result').toBe(
      await printSdl(),
    );
  });

  it('publishes no password or remember token on User, nor on any other output type', async () => {
    const schema = await createSchema();
    const user = schema.getType('User');
    expect(isObjectType(user)).toBe(true);
    const outputTypes = Object.values(schema.getTypeMap()).filter(isObjectType);
    for (const type of outputTypes) {
      for (const field of SECRET_FIELDS) expect(type.getFields(), `${type.name}.${field}`).not.toHaveProperty(field);
    }
  });
});
