// A tiny HTTP client with a cookie jar, for driving the API like a browser or a script would.
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Client {
  cookie: string | undefined;
  bearer: string | undefined;
  constructor(readonly base: string) {}

  async req<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && typeof body !== 'string') h['content-type'] = 'application/json';
    if (typeof body === 'string' && !h['content-type']) h['content-type'] = 'application/json';
    // As the portal does: a write without a body is JSON too (the server refuses other writes).
    if (method !== 'GET' && body === undefined && !h['content-type']) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      this.cookie = pair!.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get<T = any>(path: string) {
    return this.req<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.req<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.req<T>('PATCH', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.req<T>('PUT', path, body ?? {});
  }
  del<T = any>(path: string) {
    return this.req<T>('DELETE', path);
  }
}

/**
 * Where the mail of the server at a base URL can be read (its outbox, or the SMTP server it sends
 * to): the helpers verify addresses by following the link in the real mail, as a person would.
 */
export type MailReader = (to: string, subject: RegExp) => Promise<{ text: string }>;
const mailReaders = new Map<string, MailReader>();
export function readMailOf(base: string, reader: MailReader): void {
  mailReaders.set(base, reader);
}

/** Follows the verification link mailed to `email` (by the server at `base`); throws when its mail cannot be read. */
export async function verifyByMail(base: string, email: string): Promise<string> {
  const reader = mailReaders.get(base);
  if (!reader) throw new Error(`no mail reader for ${base}: call readMailOf first`);
  const mail = await reader(email, /Verify your email/);
  const m = mail.text.match(/verify-email\?token=(\S+)/);
  if (!m) throw new Error(`no verification link in: ${mail.text}`);
  const token = decodeURIComponent(m[1]!);
  const r = await new Client(base).post('/api/v1/auth/verify-email', { token });
  if (r.status !== 200) throw new Error(`verification failed: ${r.status} ${JSON.stringify(r.body)}`);
  return token;
}

let n = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}.${process.pid}.${++n}.${Date.now() % 100000}@acme.test`;

/**
 * Sends again after Retry-After while the server answers that it is busy hashing passwords (its
 * bounded queue, with a share per client address: many people registered at once from one test
 * address are a burst it spreads out), as a person would try again in a moment.
 */
async function busyRetried(send: () => Promise<Reply>): Promise<Reply> {
  for (let i = 0; ; i++) {
    const r = await send();
    if (r.status !== 429 || !/busy checking passwords/.test(r.body?.error?.message ?? '') || i >= 60) return r;
    await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** Registers without following the mailed link: an account that exists, unverified, and cannot sign in yet. */
export async function registerUnverified(base: string, opts: { email?: string; name?: string; serial?: string; password?: string } = {}) {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? 'correct horse battery';
  const r = await busyRetried(() => new Client(base).post('/api/v1/auth/register', { email, password, name: opts.name ?? 'Test User', ...(opts.serial ? { serial: opts.serial } : {}) }));
  if (r.status !== 202) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { email, password };
}

/**
 * Registers (optionally with a serial), verifies the address by its mail, signs in, and returns the
 * signed-in client and the account id. Register answers alike for every address and signs nobody
 * in: the account is reached by signing in once the address is verified, as a person would.
 */
export async function registered(base: string, opts: { email?: string; name?: string; serial?: string; password?: string } = {}) {
  const { email, password } = await registerUnverified(base, opts);
  await verifyByMail(base, email);
  const c = new Client(base);
  const signedIn = await busyRetried(() => c.post('/api/v1/auth/sign-in', { email, password }));
  // An address that had an account already: register told its holder, and this password is not theirs.
  if (signedIn.status !== 200) throw new Error(`register failed: sign-in after it answered ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
  return { client: c, accountId: signedIn.body.account.id as string, email };
}

/** A registered account that has claimed the organization of `serial` and is its owner. */
export async function owner(base: string, org: { orgId: string; serial: string; name: string }, email?: string) {
  const u = await registered(base, { serial: org.serial, ...(email ? { email } : {}), name: 'Olivia Owner' });
  const r = await u.client.post(`/api/v1/orgs/${org.orgId}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true });
  if (r.status !== 200) throw new Error(`claim failed: ${r.status} ${JSON.stringify(r.body)}`);
  return u;
}
