// What every command gets: the API client, the organization it acts on, the output, and helpers
// that turn an email or a product code into the id the API wants.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { Api } from './api.js';
import { configPath, loadConfig, resolveConnection } from './config.js';
import { CliError, EXIT_REFUSED, usage } from './errors.js';
import { json, type Io } from './output.js';

export interface GlobalOpts {
  server?: string;
  token?: string;
  org?: string;
  json?: boolean;
}

export interface Runtime {
  io: Io;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

export class Ctx {
  private orgId?: string;
  constructor(
    readonly rt: Runtime,
    readonly api: Api,
    readonly opts: GlobalOpts,
    org: string | undefined,
  ) {
    this.orgId = org;
  }

  get io() {
    return this.rt.io;
  }

  /** Prints `data` as JSON with --json, else what `human` renders. */
  print(data: unknown, human: () => string): void {
    this.io.out(this.opts.json ? json(data) : human());
  }

  /** The organization: --org, SEATKEEPER_ORG, the one stored at login, or the caller's only administered one. */
  async org(): Promise<string> {
    if (this.orgId) return this.orgId;
    const me = await this.api.get<{ orgs: Array<{ orgId: string; orgName: string; role: string }> }>('/api/v1/me');
    const admin = me.orgs.filter((o) => o.role === 'owner' || o.role === 'admin');
    const pick = admin.length === 1 ? admin : me.orgs.length === 1 ? me.orgs : [];
    if (pick.length !== 1) {
      const names = me.orgs.map((o) => `${o.orgId} (${o.orgName})`).join(', ') || 'none';
      throw usage(`pass --org: this token's account is in ${me.orgs.length === 0 ? 'no organization' : `several organizations: ${names}`}`);
    }
    this.orgId = pick[0]!.orgId;
    return this.orgId;
  }

  async base(): Promise<string> {
    return `/api/v1/orgs/${encodeURIComponent(await this.org())}`;
  }

  /** An account id from an id or an email of a member. */
  async memberId(ref: string): Promise<string> {
    if (!ref.includes('@')) return ref;
    const r = await this.api.get<{ members: Array<{ accountId: string; email: string }> }>(`${await this.base()}/members?q=${encodeURIComponent(ref)}`);
    const m = r.members.find((x) => x.email.toLowerCase() === ref.trim().toLowerCase());
    if (!m) throw new CliError(EXIT_REFUSED, `no member with email ${ref}`, 'NOT_FOUND');
    return m.accountId;
  }
}

export async function makeCtx(rt: Runtime, cmd: Command): Promise<Ctx> {
  const opts = cmd.optsWithGlobals<GlobalOpts>();
  const stored = await loadConfig(configPath(rt.env, rt.platform, rt.home));
  const conn = resolveConnection(opts, rt.env, stored);
  return new Ctx(rt, new Api(conn.server, conn.token), opts, conn.org);
}

export const defaultRuntime = (io: Io): Runtime => ({ io, env: process.env, platform: process.platform, home: homedir() });
