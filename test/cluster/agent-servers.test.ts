// `enroll` given several nodes: it enrolls with the first that answers, remembers them all for
// `run`, and refuses a list with a URL that is not http(s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/state/config.js';
import { ensureAgentBundle, Workstation } from '../e2e/workstation.js';
import { orgWithToken } from '../gateway/raw-agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const stations: Workstation[] = [];
beforeAll(async () => {
  await ensureAgentBundle();
  server = await startTestServer({ heartbeatSeconds: 0.5 });
});
afterAll(async () => {
  for (const w of stations) await w.dispose();
  await server?.stop();
});

describe('enroll with several servers', () => {
  it('enrolls with the first node that answers, remembers every node, and runs connected', async () => {
    const org = await orgWithToken(server);
    const ws = await Workstation.create('multi');
    stations.push(ws);
    // Port 9 (discard) refuses connections here: the node is "down".
    const down = 'http://127.0.0.1:9';
    const r = await ws.run(['enroll', '--server', down, '--server', `${server.url},${down}`, '--token', org.token, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ server: server.url });
    const config = await readConfig(ws.paths);
    expect(config).toMatchObject({ server: server.url, servers: [down, server.url] });
    await ws.start(20_000);
  });

  it('refuses a list with a URL that is not http(s), and enrolls nothing', async () => {
    const ws = await Workstation.create('bad-list');
    stations.push(ws);
    const r = await ws.run(['enroll', '--server', server.url, '--server', 'ftp://x', '--token', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--server URL/);
    expect(await readConfig(ws.paths)).toBeNull();
  });
});
