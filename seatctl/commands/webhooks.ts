// `seatctl webhooks`: signed webhooks (list, add, remove) and their delivery log.
import type { Command } from 'commander';
import type { Runtime } from '../context.js';
import { table, time } from '../output.js';
import { act, collect } from './shared.js';

export function registerWebhooks(program: Command, rt: Runtime): void {
  const wh = program.command('webhooks').description('signed webhooks: list, add, remove, deliveries');

  wh.command('list')
    .description('registered webhooks (never their secrets)')
    .action(
      act(rt, async (ctx) => {
        const r = await ctx.api.get<{ webhooks: Array<{ id: string; url: string; events: string[]; createdAt: number }> }>(`${await ctx.base()}/webhooks`);
        ctx.print(r, () => table(r.webhooks, [['id', (w) => w.id], ['url', (w) => w.url], ['events', (w) => w.events], ['created', (w) => time(w.createdAt)]]));
      }),
    );

  wh.command('add')
    .description('register a URL; the signing secret is shown once (HMAC-SHA256 over "<timestamp>.<body>")')
    .argument('<url>', 'an http(s) URL on a public address')
    .option('--event <event>', 'subscribe to this event only (repeatable; default all)', collect)
    .action(
      act(rt, async (ctx, url: string, o: { event?: string[] }) => {
        const r = await ctx.api.post<{ id: string; secret: string; events: string[] }>(`${await ctx.base()}/webhooks`, { url, ...(o.event?.length ? { events: o.event } : {}) });
        ctx.print(r, () => `Webhook ${r.id} for ${r.events.join(', ')}. Signing secret, shown once:\n${r.secret}\n`);
      }),
    );

  wh.command('remove')
    .description('delete a webhook; pending retries stop')
    .argument('<webhookId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.del(`${await ctx.base()}/webhooks/${encodeURIComponent(id)}`);
        ctx.print(r, () => `Removed ${id}.\n`);
      }),
    );

  wh.command('deliveries')
    .description('the delivery log of a webhook, newest first')
    .argument('<webhookId>')
    .action(
      act(rt, async (ctx, id: string) => {
        const r = await ctx.api.get<{ deliveries: Array<{ id: string; event: string; attempt: number; at: number; status: number | null; error: string | null; nextAttemptAt: number | null }> }>(
          `${await ctx.base()}/webhooks/${encodeURIComponent(id)}/deliveries`,
        );
        ctx.print(r, () =>
          table(r.deliveries, [
            ['at', (d) => time(d.at)],
            ['delivery', (d) => d.id],
            ['event', (d) => d.event],
            ['attempt', (d) => d.attempt],
            ['status', (d) => d.status ?? d.error],
            ['next attempt', (d) => time(d.nextAttemptAt)],
          ]),
        );
      }),
    );
}
