export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** One raw HTTP exchange, for requests `gql()` cannot make (bad bodies, GET, odd content types). */
export async function send(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A POST to `/graphql` with a body sent exactly as given (a string is not re-encoded). */
export function postGraphql(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return send(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
