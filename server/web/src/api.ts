// The portal's HTTP client: JSON in and out, the session cookie rides along, and every failure
// becomes an ApiError carrying the server's code and message so the page can show it in place.
import type { ErrorBody } from '../../../shared/errors.js';
import { isBareCode, sentenceFor } from './messages.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Raised on window when a call finds the session gone, so the app can ask to sign in again. */
export const SESSION_ENDED = 'seatkeeper:session-ended';

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // Every write is JSON, also without a body: the server refuses other writes (cross-site defence).
      headers: method === 'GET' ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', sentenceFor('NETWORK'));
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = (data as Partial<ErrorBody> | undefined)?.error;
    const code = err?.code ?? `HTTP_${res.status}`;
    // The server's sentence when it sent one; a bare code is never shown to people.
    const message = err?.message && !isBareCode(err.message) ? err.message : sentenceFor(code, res.status);
    const e = new ApiError(res.status, code, message, err?.details);
    if (e.code === 'UNAUTHENTICATED') window.dispatchEvent(new Event(SESSION_ENDED));
    throw e;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown = {}) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** Builds `/api/v1/orgs/:orgId/...` paths; ids are encoded though the server only issues safe ones. */
export function orgPath(orgId: string, rest: string): string {
  return `/api/v1/orgs/${encodeURIComponent(orgId)}${rest}`;
}

export function qs(params: Record<string, string | number | undefined | null | false>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
