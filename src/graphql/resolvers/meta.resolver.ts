import { Query, Resolver } from 'type-graphql';
import { BUSINESS_CODES } from '../../errors.js';
import { ResponseCodeType } from '../types/response-code.type.js';

@Resolver()
export class MetaResolver {
  @Query(() => [ResponseCodeType], { description: 'The business codes of the legacy API.' })
  responseCodes(): ResponseCodeType[] {
    return Object.entries(BUSINESS_CODES).map(([code, message]) =>
      Object.assign(new ResponseCodeType(), { code: Number(code), message }),
    );
  }
}
