import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AuthService } from '../../auth/auth.service.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { GraphqlContext } from '../context.js';
import { AuthPayload } from '../types/auth-payload.type.js';
import { CaptchaType } from '../types/captcha.type.js';
import { LoginInput, RegisterInput } from '../types/inputs.js';
import { UserType } from '../types/user.type.js';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  @Mutation(() => CaptchaType, { description: 'A single-use image captcha, needed to register.' })
  async requestCaptcha(
    @Ctx() ctx: GraphqlContext,
    // Accepted for the legacy clients' sake and not used, as the legacy service never read it.
    @Arg('username', () => String, {
      nullable: true,
      description: 'Accepted as the legacy API documents it; not required, not used.',
    })
    _username?: string,
  ): Promise<CaptchaType> {
    const { value: captcha } = await this.auth.requestCaptcha(ctx.client);
    return Object.assign(new CaptchaType(), {
      captchaKey: captcha.key,
      expiresAt: captcha.expiresAt,
      imageDataUrl: captcha.imageDataUrl,
    });
  }

  @Mutation(() => AuthPayload, { description: 'Creates an account with an invitation code and logs it in.' })
  async register(@Ctx() ctx: GraphqlContext, @Arg('input', () => RegisterInput) input: RegisterInput) {
    return AuthPayload.from((await this.auth.register({ ...input }, ctx.client)).value);
  }

  @Mutation(() => AuthPayload)
  async login(@Ctx() ctx: GraphqlContext, @Arg('input', () => LoginInput) input: LoginInput) {
    return AuthPayload.from((await this.auth.login({ ...input }, ctx.client)).value);
  }

  @Mutation(() => Boolean, { description: 'Signs this session out: its tokens stop working.' })
  async logout(@Ctx() ctx: GraphqlContext): Promise<boolean> {
    await this.sessions.logout(ctx.client);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Signs out every session and revokes every token of the current user.' })
  async logoutAll(@Ctx() ctx: GraphqlContext): Promise<boolean> {
    await this.sessions.logoutAll(ctx.client);
    return true;
  }

  @Mutation(() => AuthPayload, {
    description: 'Trades the presented token (even expired, within the refresh window) for a new one.',
  })
  async refresh(@Ctx() ctx: GraphqlContext) {
    return AuthPayload.from((await this.sessions.refresh(ctx.client)).value);
  }

  @Query(() => UserType, { description: 'The user of the presented token.' })
  async me(@Ctx() ctx: GraphqlContext): Promise<UserType> {
    return UserType.from((await this.sessions.me(ctx.client)).value);
  }
}
