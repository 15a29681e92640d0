// A process for the atomicity test to kill: it opens a lowdb store in the directory given and, on
// several concurrent loops, commits transactions that touch the global document and an
// organization together (as a register-with-serial does) with an audit event, printing each
// acknowledged id. Built with esbuild by the test, run with node.
import { createLowdbStore } from '../../server/store/lowdb-store.js';

const [dir, orgId] = process.argv.slice(2) as [string, string];
const store = createLowdbStore(dir);
await store.open();
let n = 0;
const loop = async (w: number) => {
  for (;;) {
    const id = `acc_${process.pid}_${w}_${++n}`;
    await store.tx((t) => {
      t.global().accounts[id] = { id, email: `${id}@x.test`, aliases: [], name: id, passwordHash: null, status: 'active', createdAt: n };
      t.org(orgId)!.members[id] = { accountId: id, role: 'member', joinedAt: n };
      t.audit({ id: `aud_${id}`, at: n, orgId, actor: id, action: 'member.join', target: id, before: null, after: null });
    });
    process.stdout.write(`ack ${id}\n`);
  }
};
process.stdout.write('ready\n');
await Promise.all([0, 1, 2, 3].map(loop));
