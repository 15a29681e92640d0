// The live dashboard follows the whole cluster: an agent connecting to node A, then going away,
// is pushed to a dashboard watching on node B (the nodes wake each other and share who is online).
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_PATH, LiveMessage, type LiveSummaryView } from '../../shared/api/live.js';
import { until } from '../e2e/workstation.js';
import { clusterSuite, type Node } from './cluster.js';

const cluster = clusterSuite();
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

/** A dashboard on `node`: the latest summary it was sent. */
async function dashboard(node: Node, orgId: string, cookie: string) {
  const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}${LIVE_PATH}?orgId=${orgId}`, { headers: { cookie } });
  sockets.push(ws);
  let latest: LiveSummaryView | undefined;
  let count = 0;
  ws.on('message', (data) => {
    const m = LiveMessage.parse(JSON.parse(String(data)));
    if (m.type !== 'feed') {
      latest = m.summary;
      count++;
    }
  });
  await until('the dashboard snapshot', () => latest, 20_000);
  return {
    online: () => latest!.devices.online,
    /** summaries (the snapshot included) received so far */
    received: () => count,
  };
}

describe('the live dashboard of a cluster', () => {
  it('is pushed the devices that connect to and leave another node', async () => {
    const org = await cluster.orgOn(2);
    const [a, b] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, a!);
    const ws = await cluster.station('on-a');
    const r = await until('node A knows the enrollment token', async () => {
      const run = await ws.run(['enroll', '--server', a!.url, '--token', o.token, '--json']);
      return run.code === 0 && run;
    }, 20_000, 200);
    ws.deviceId = JSON.parse(r.stdout).deviceId;
    const cookie = o.admin.cookie!;
    // Node B reads the owner's session from the database.
    const onB = await until('a dashboard on node B', () => dashboard(b!, org.orgId, cookie).catch(() => undefined), 20_000, 200);
    const onA = await dashboard(a!, org.orgId, cookie);
    expect(onB.online()).toBe(0);
    const before = onB.received();

    await ws.start();
    await until('node A dashboard shows the agent online', () => onA.online() === 1, 20_000, 20);
    await until('node B dashboard is pushed the agent online', () => onB.online() === 1, 20_000, 20);
    expect(onB.received()).toBeGreaterThan(before);

    await ws.stop();
    await until('node A dashboard shows it gone', () => onA.online() === 0, 20_000, 20);
    await until('node B dashboard is pushed it gone', () => onB.online() === 0, 20_000, 20);
  }, 180_000);
});
