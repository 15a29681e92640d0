import { it } from 'vitest';
import { addDevice } from './device-fixtures.js';
import { NOW, orgDoc } from '../helpers/org-doc.js';
import { affectedDevices, OrgIndex } from '../../server/domain/entitlements.js';
import { syncOn, needsSync } from '../../server/gateway/lease-sync.js';
import { planSwitch } from '../../server/domain/switch-plan.js';

it('perf', () => {
  const N = 20000;
  const b = orgDoc().contract('c1', [{ id: 'sw', productCode: 'SW-PREMIUM', seats: N }, { id: 'acad', productCode: 'ACAD', seats: N, method: 'serial' }]);
  for (let i = 0; i < N; i++) {
    b.member(`acc${i}`).assign(`as${i}`, 'sw', `acc${i}`);
    addDevice(b.doc, `d${i}`, { signedInAccountId: `acc${i}`, inventory: [{ productCode: 'SW-PREMIUM', version: '1', path: '/x', serial: null }, { productCode: 'ACAD', version: '1', path: '/y', serial: 'SER-C1' }] });
  }
  let n = 0;
  let t = Date.now();
  let idx = new OrgIndex(b.doc, NOW);
  const ids = affectedDevices(b.doc, { all: true }, NOW, idx);
  const ch = syncOn(b.doc, ids, NOW, {}, () => `l${++n}`, idx);
  console.error('initial sync', Date.now() - t, 'ms', ch.length, n);
  t = Date.now();
  for (let i = 0; i < 100; i++) syncOn(b.doc, [`d${i}`], NOW, {}, () => `l${++n}`);
  console.error('100 single-device syncs', Date.now() - t, 'ms');
  t = Date.now();
  idx = new OrgIndex(b.doc, NOW);
  console.error('needsSync all', needsSync(b.doc, affectedDevices(b.doc, { lineIds: ['sw'] }, NOW, idx), NOW, {}, idx), Date.now() - t, 'ms');
  t = Date.now();
  const p = planSwitch(b.doc, 'acad', 'named-user', true, NOW, () => ({ email: 'x', name: 'y' }));
  console.error('planSwitch', Date.now() - t, 'ms', p.losesAccess.devices.length, p.wouldAssign.length);
});
