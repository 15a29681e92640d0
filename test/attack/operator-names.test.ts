// `orgs add` with an organization name or contract number carrying CR, LF, NUL or a bidi override
// (issue 14 §7 for the operator): refused like any name an admin types (the shared Name and
// ContractNumber schemas), by the real command and by the running server's route, and nothing is added.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_FILE, type OperatorFile } from '../../server/ops/operator-file.js';
import { buildServerBundle, runServerCommand, type BuiltServer } from '../helpers/built-server.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let built: BuiltServer;
let server: TestServer;
let scratch: string;
beforeAll(async () => {
  built = await buildServerBundle();
  server = await startTestServer();
  scratch = await mkdtemp(join(tmpdir(), 'sk-opnames-'));
});
afterAll(async () => {
  await server?.stop();
  await built?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const org = (name: string, number: string) => ({
  name,
  contracts: [{ number, serials: [`OPN-${Math.random().toString(36).slice(2, 8).toUpperCase()}`], lines: [{ productCode: 'SW-PREMIUM', seats: 1, method: 'named-user' }] }],
});

const UNSAFE = { CR: 'Acme\rWorks', LF: 'Acme\nDear customer, pay here', NUL: 'Acme\u0000Works', 'U+202E': 'Acme \u202eskroW' };

describe('orgs add with unsafe characters', () => {
  it.each(Object.entries(UNSAFE))('refuses %s in the name and in a contract number, through the command and the route', async (_, bad) => {
    const { token } = JSON.parse(await readFile(join(server.dataDir, OPERATOR_FILE), 'utf8')) as OperatorFile;
    const op = new Client(server.url);
    for (const body of [org(bad, 'C-1'), org('Acme Works', bad)]) {
      const file = join(scratch, `org-${Math.random()}.json`);
      await writeFile(file, JSON.stringify(body));
      const r = await runServerCommand(built.bundle, ['orgs', 'add', '--file', file, '--data', server.dataDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no control characters or bidi overrides/);
      // The server itself refuses too (a command of another version, or a hand-made request).
      const direct = await op.req('POST', '/api/v1/operator/orgs', body, { authorization: `Operator ${token}` });
      expect({ status: direct.status, code: direct.body.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(direct.body.error)).toMatch(/no control characters or bidi overrides/);
    }
    expect(Object.keys(server.services.store.global().orgs)).toEqual([]);
  });

  it('still adds a clean organization through the same command (the refusals above are about the characters)', async () => {
    const file = join(scratch, 'clean.json');
    await writeFile(file, JSON.stringify(org('Acme Works', 'C-1')));
    const r = await runServerCommand(built.bundle, ['orgs', 'add', '--file', file, '--data', server.dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.services.store.global().orgs[r.stdout.trim()]?.name).toBe('Acme Works');
  });
});
