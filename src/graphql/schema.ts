import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import { authChecker } from './auth-checker.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { AuthResolver } from './resolvers/auth.resolver.js';
import { InvitationResolver } from './resolvers/invitation.resolver.js';
import { MetaResolver } from './resolvers/meta.resolver.js';
import { SessionResolver } from './resolvers/session.resolver.js';
import { UserAdminResolver } from './resolvers/user-admin.resolver.js';

const resolvers = [
  AuthResolver,
  SessionResolver,
  AccountResolver,
  InvitationResolver,
  UserAdminResolver,
  MetaResolver,
] as const;

/** The resolvers' constructor arguments, by resolver class. */
export type ResolverClass = abstract new (...args: never[]) => object;
export type ResolverInstances = Map<ResolverClass, object>;

export function createSchema(instances: ResolverInstances = new Map()): Promise<GraphQLSchema> {
  const container: ContainerType = {
    get: (someClass) => instances.get(someClass as ResolverClass) ?? new (someClass as new () => object)(),
  };
  return buildSchema({ resolvers, container, authChecker, validate: false });
}

/** The SDL committed as `schema.graphql`: sorted, so diffs stay readable. */
export async function printSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await createSchema()))}\n`;
}
