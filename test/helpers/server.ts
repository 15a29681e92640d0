// Starts a real Seatkeeper server on 127.0.0.1:0 over a temporary data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle, type StartOptions } from '../../server/app.js';
import { defaultLimits, type Limits, type ServerConfig } from '../../server/core/config.js';
import { createLogger } from '../../server/core/log.js';
import { testCommitOptions } from './store-options.js';
import { owner, readMailOf } from './client.js';
import { waitForMail } from './outbox.js';
import { smtpByPort } from './smtp.js';
import { createOrganization, type OrganizationInput } from '../../server/ops/create-organization.js';

export interface TestServer extends ServerHandle {
  dataDir: string;
  /** closes the server and removes its data directory */
  stop(): Promise<void>;
}

/** Tests drive hundreds of requests from 127.0.0.1; the attack tests set the limits they replay. */
export const testLimits: Limits = {
  ...defaultLimits,
  publicRoute: { attempts: 100_000, windowSeconds: 60 },
  enrollments: { attempts: 100_000, windowSeconds: 60 },
  serialGuesses: { attempts: 100_000, windowSeconds: 60 },
  passwordHashQueue: 100_000,
  passwordHashQueuePerAddress: 100_000,
  signInFailuresPerAddress: { attempts: 100_000, windowSeconds: 60 },
  connectionsPerAddress: 100_000,
  unhelloedSocketsPerAddress: 100_000,
  agentFrames: { attempts: 1_000_000, windowSeconds: 60 },
};

/** Tests hash hundreds of passwords on two cores: a cheap scrypt cost, through the config only. */
export const testPasswordCost = { N: 2 ** 12, r: 8, p: 1 };

export async function startTestServer(config: Partial<ServerConfig> = {}, opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = config.dataDir ?? (await mkdtemp(join(tmpdir(), 'sk-server-')));
  const handle = await startServer(
    { port: 0, signInRateLimit: { attempts: 1000, windowSeconds: 60 }, passwordCost: testPasswordCost, ...config, limits: { ...testLimits, ...config.limits }, dataDir },
    { logger: createLogger({ level: process.env.SEATKEEPER_TEST_LOG ?? 'error' }), storage: { commit: testCommitOptions }, ...opts },
  );
  // The helpers verify addresses by the real mail: the outbox, or the test SMTP server it sends to.
  const mail = config.mail;
  if (!mail || mail.kind === 'outbox') {
    const outboxDir = mail?.kind === 'outbox' ? mail.dir : join(dataDir, 'outbox');
    readMailOf(handle.url, (to, subject) => waitForMail(outboxDir, to, subject, 0, true));
  } else if (mail.kind === 'smtp' && smtpByPort.has(mail.port)) {
    const box = smtpByPort.get(mail.port)!;
    readMailOf(handle.url, (to, subject) => box.waitFor((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject)));
  }
  return {
    ...handle,
    dataDir,
    async stop() {
      await handle.close();
      if (!config.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let serialCounter = 0;

/** An organization with one contract: 10 named-user seats of SW-PREMIUM, 5 serial ACAD seats, … */
export async function seedOrg(server: ServerHandle, over: Partial<OrganizationInput> = {}) {
  const n = `${process.pid}${++serialCounter}${Math.floor(Math.random() * 1e6)}`;
  const serial = `SW${n}`.slice(0, 20);
  const input: OrganizationInput = {
    name: over.name ?? `Acme Engineering ${n}`,
    aliasDomains: over.aliasDomains ?? ['acme.test', 'acme-eng.test'],
    contracts: over.contracts ?? [
      {
        number: `C-${n}`,
        serials: [serial],
        lines: [
          { productCode: 'SW-PREMIUM', seats: 10, method: 'named-user' },
          { productCode: 'ACAD', seats: 5, method: 'serial' },
          { productCode: 'BIM-COLLAB', seats: 3, method: 'named-user' },
        ],
      },
    ],
    ...(over.products ? { products: over.products } : {}),
    ...(over.leaseTtlSeconds ? { leaseTtlSeconds: over.leaseTtlSeconds } : {}),
  };
  const orgId = await createOrganization(server.services, input);
  const doc = server.services.store.org(orgId)!;
  const contract = Object.values(doc.contracts)[0]!;
  const line = (code: string) => contract.lines.find((l) => l.productCode === code)!;
  return { orgId, serial: contract.serials[0]!, name: input.name, contract, line };
}

/** A seeded organization claimed by its owner (`o`), and the organization's API path. */
export async function ownedOrg(server: TestServer) {
  const org = await seedOrg(server);
  const o = await owner(server.url, org);
  return { org, o, base: `/api/v1/orgs/${org.orgId}` };
}
