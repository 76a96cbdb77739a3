import type { FastifyRequest } from 'fastify';

/** The Accept header's media types, best first (by quality, then order), as Symfony sorts them. */
function acceptableTypes(header = ''): string[] {
  return header
    .split(',')
    .map((entry, index) => {
      const [type = '', ...params] = entry.split(';').map((s) => s.trim());
      const quality = params.find((p) => p.startsWith('q='));
      return { type: type.toLowerCase(), q: quality ? Number.parseFloat(quality.slice(2)) || 0 : 1, index };
    })
    .filter(({ type }) => type !== '')
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ type }) => type);
}

/**
 * Laravel's `expectsJson()`, which chose between the legacy 401 and the redirect: an XHR that
 * accepts anything, or a client whose preferred type is JSON.
 */
export function expectsJson(request: FastifyRequest): boolean {
  const [preferred] = acceptableTypes(request.headers.accept);
  const xhr = request.headers['x-requested-with'] === 'XMLHttpRequest';
  const acceptsAnything = preferred === undefined || preferred === '*/*' || preferred === '*';
  return (xhr && acceptsAnything) || (preferred !== undefined && /\/json|\+json/.test(preferred));
}
