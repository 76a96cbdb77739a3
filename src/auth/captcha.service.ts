import { randomBytes } from 'node:crypto';
import { Resvg } from '@resvg/resvg-js';
import svgCaptcha from 'svg-captcha';
import { AppError } from '../errors.js';
import type { KeyValueStore } from '../store/store.js';
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

interface StoredCaptcha {
  code: string;
  username: string | null;
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
  ) {}

  async issue(username: string | null): Promise<Captcha> {
    const code = this.settings.fixedCode ?? randomString(CAPTCHA_ALPHABET, CAPTCHA_LENGTH);
    const key = `captcha-${randomBytes(16).toString('base64url')}`;
    const stored: StoredCaptcha = { code, username };
    await this.store.set(this.storeKey(key), JSON.stringify(stored), this.settings.ttlSeconds);
    return {
      key,
      expiresAt: new Date(Date.now() + this.settings.ttlSeconds * 1000),
      imageDataUrl: `data:image/png;base64,${renderPng(code).toString('base64')}`,
    };
  }

  /** Consumes the captcha atomically, then compares case-insensitively. */
  async consume(key: string, code: string): Promise<void> {
    const raw = await this.store.take(this.storeKey(key));
    if (raw === null) throw new AppError('CAPTCHA_EXPIRED');
    const stored = JSON.parse(raw) as StoredCaptcha;
    if (stored.code.toUpperCase() !== code.trim().toUpperCase()) throw new AppError('CAPTCHA_WRONG');
  }

  private storeKey(key: string): string {
    return `captcha:${key}`;
  }
}

/** svg-captcha's main export draws a given text; its typings only declare the helpers. */
const drawText = svgCaptcha as unknown as (text: string, options: Record<string, unknown>) => string;

function renderPng(code: string): Buffer {
  const svg = drawText(code, { width: 150, height: 50, fontSize: 50, noise: 2, color: true, background: '#f4f6f8' });
  return new Resvg(svg).render().asPng();
}
