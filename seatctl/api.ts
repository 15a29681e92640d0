// The HTTP client seatctl speaks to the server with: bearer token, JSON in and out, and the
// server's `{error:{code,message}}` turned into an exit code.
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE } from './errors.js';

export class Api {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new CliError(EXIT_UNREACHABLE, `cannot reach ${this.server}: ${cause}`, 'UNREACHABLE');
    }
    if (res.ok) return res;
    const text = await res.text();
    let code = `HTTP_${res.status}`;
    let message = text.slice(0, 300) || res.statusText;
    try {
      const j = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (j.error?.code) code = j.error.code;
      if (j.error?.message) message = j.error.message;
    } catch {
      /* not the error shape: keep the text */
    }
    // A bad or revoked token is a connection problem for a script, not a refusal of this request.
    const exit = res.status === 401 ? EXIT_UNREACHABLE : EXIT_REFUSED;
    throw new CliError(exit, `${message} (${code})`, code);
  }

  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = any>(path: string) {
    return this.json<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.json<T>('POST', path, body);
  }
  put<T = any>(path: string, body: unknown = {}) {
    return this.json<T>('PUT', path, body);
  }
  del<T = any>(path: string) {
    return this.json<T>('DELETE', path);
  }
}

/** `?a=1&b=x` from the defined values only. */
export function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
