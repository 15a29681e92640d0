// `seatctl login`, `logout`, `whoami`: where the server and the API token are kept.
import type { Command } from 'commander';
import { Api } from '../api.js';
import { configPath, normalizeServer, removeConfig, saveConfig } from '../config.js';
import type { Runtime } from '../context.js';
import { usage } from '../errors.js';
import { json, table } from '../output.js';
import { act } from './shared.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerLogin(program: Command, rt: Runtime): void {
  program
    .command('login')
    .description('check an API token against the server and store both (mode 0600) for the next commands')
    .addHelpText('after', '\nseatctl login --server URL --token TOKEN (the global options): TOKEN is an API token from the portal or\nPOST /api/v1/me/tokens; "-" reads it from stdin. It may also come from SEATKEEPER_TOKEN. The file: $XDG_CONFIG_HOME/seatkeeper/seatctl.json\n(~/.config/seatkeeper on Linux and macOS, %APPDATA%\\seatkeeper on Windows).')
    .action(async (_o, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ server?: string; token?: string; org?: string; json?: boolean }>();
      const serverArg = o.server ?? rt.env.SEATKEEPER_SERVER;
      if (!serverArg) throw usage('--server is required (or SEATKEEPER_SERVER)');
      const server = normalizeServer(serverArg);
      let token = o.token ?? rt.env.SEATKEEPER_TOKEN;
      if (token === '-') token = await readStdin();
      if (!token) throw usage('--token is required (or SEATKEEPER_TOKEN)');
      const me = await new Api(server, token).get<{ account: { email: string }; orgs: Array<{ orgId: string; orgName: string; role: string }> }>('/api/v1/me');
      const admin = me.orgs.filter((x) => x.role === 'owner' || x.role === 'admin');
      const org = o.org ?? (admin.length === 1 ? admin[0]!.orgId : undefined);
      const path = configPath(rt.env, rt.platform, rt.home);
      await saveConfig(path, { server, token, ...(org ? { org } : {}) });
      if (o.json) rt.io.out(json({ server, email: me.account.email, org: org ?? null, config: path }));
      else rt.io.out(`Logged in to ${server} as ${me.account.email}${org ? ` (organization ${org})` : ''}. Stored in ${path}.\n`);
    });

  program
    .command('logout')
    .description('forget the stored server and token (the token itself stays valid until revoked in the portal)')
    .action(async () => {
      const path = configPath(rt.env, rt.platform, rt.home);
      const removed = await removeConfig(path);
      rt.io.out(removed ? `Removed ${path}.\n` : 'Not logged in.\n');
    });

  program
    .command('whoami')
    .description('the account the token belongs to and its organizations')
    .action(
      act(rt, async (ctx) => {
        const me = await ctx.api.get<{ account: { id: string; email: string; name: string }; orgs: Array<{ orgId: string; orgName: string; role: string }> }>('/api/v1/me');
        ctx.print(me, () => `${me.account.email} (${me.account.name}) on ${ctx.api.server}\n` + table(me.orgs, [['org', (r) => r.orgId], ['name', (r) => r.orgName], ['role', (r) => r.role]]));
      }),
    );
}
