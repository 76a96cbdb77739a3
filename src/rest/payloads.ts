import type { Captcha } from '../auth/captcha.service.js';
import type { IssuedToken } from '../auth/token.service.js';
import type { UserRecord } from '../db/entities/user.entity.js';
import { legacyDateFormatter } from './legacy-date.js';

/** The legacy service's field names and formats: snake_case, local dates, `expires_in` in minutes. */
export function legacyPayloads(timeZone: string) {
  const date = legacyDateFormatter(timeZone);
  const optionalDate = (value: Date | null) => (value ? date(value) : null);
  return {
    /** Every column the legacy service sent but `password` and `remember_token`. */
    user: (user: UserRecord) => ({
      id: Number(user.id),
      name: user.name,
      username: user.username,
      email: user.email,
      email_verified_at: optionalDate(user.emailVerifiedAt),
      phone: user.phone,
      invitation_code: user.invitationCode,
      status: user.status,
      created_at: optionalDate(user.createdAt),
      updated_at: optionalDate(user.updatedAt),
    }),
    token: ({ token, expiresIn }: IssuedToken) => ({
      access_token: token,
      token_type: 'Bearer',
      expires_in: expiresIn / 60,
    }),
    captcha: (captcha: Captcha) => ({
      captcha_key: captcha.key,
      expired_at: date(captcha.expiresAt),
      captcha_image_content: captcha.imageDataUrl,
    }),
  };
}
