import { JsonType, type Platform, type TransformContext } from '@mikro-orm/core';

/**
 * JSON that reads back as an object on MySQL and MariaDB alike: MariaDB's JSON is a LONGTEXT,
 * which mysql2 hands over as a string, and the ORM's MySQL platform expects it parsed already.
 */
export class ParsedJsonType extends JsonType {
  override convertToJSValue(value: string | unknown, platform: Platform, context?: TransformContext): unknown {
    return platform.convertJsonToJSValue(value, context);
  }
}
