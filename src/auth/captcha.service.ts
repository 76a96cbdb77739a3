import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { KeyValueStore } from '../store/store.js';
import type { CaptchaDrawer } from './captcha-drawer.js';
import { randomString } from './random-string.js';

/** No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing a reader could mistake for another. */
const CAPTCHA_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const CAPTCHA_LENGTH = 5;

export interface Captcha {
  key: string;
  expiresAt: Date;
  /** `data:image/png;base64,…` */
  imageDataUrl: string;
}

export interface CaptchaSettings {
  ttlSeconds: number;
  fixedCode?: string;
}

/** Image captchas, single use: checking one consumes it, whatever the outcome. */
export class CaptchaService {
  constructor(
    private readonly settings: CaptchaSettings,
    private readonly store: KeyValueStore,
    private readonly drawer: CaptchaDrawer,
  ) {}

  async issue(): Promise<Captcha> {
    const code = this.settings.fixedCode ?? randomString(CAPTCHA_ALPHABET, CAPTCHA_LENGTH);
    const key = `captcha-${randomBytes(16).toString('base64url')}`;
    const [imageDataUrl] = await Promise.all([
      this.drawer.draw(code),
      this.store.set(this.storeKey(key), code, this.settings.ttlSeconds),
    ]);
    return { key, expiresAt: new Date(Date.now() + this.settings.ttlSeconds * 1000), imageDataUrl };
  }

  /** Consumes the captcha atomically, then compares case-insensitively. */
  async consume(key: string, code: string): Promise<void> {
    const stored = await this.store.take(this.storeKey(key));
    if (stored === null) throw new AppError('CAPTCHA_EXPIRED');
    if (stored.toUpperCase() !== code.trim().toUpperCase()) throw new AppError('CAPTCHA_WRONG');
  }

  private storeKey(key: string): string {
    return `captcha:${key}`;
  }
}
