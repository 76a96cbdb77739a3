import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { SessionService } from '../../sessions/session.service.js';
import type { GraphqlContext } from '../context.js';
import { SessionType } from '../types/session.type.js';

@Resolver()
export class SessionResolver {
  constructor(private readonly service: SessionService) {}

  @Query(() => [SessionType], { description: 'Your live sessions, newest first.' })
  async sessions(@Ctx() ctx: GraphqlContext): Promise<SessionType[]> {
    return (await this.service.list(ctx.client)).value.map((session) => SessionType.from(session));
  }

  @Mutation(() => Boolean, { description: 'Signs one of your sessions out (a lost phone, say).' })
  async revokeSession(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    await this.service.revoke(ctx.client, id);
    return true;
  }

  @Mutation(() => Int, { description: 'Signs out every session but this one; how many.' })
  async revokeOtherSessions(@Ctx() ctx: GraphqlContext): Promise<number> {
    return (await this.service.revokeOthers(ctx.client)).value;
  }
}
