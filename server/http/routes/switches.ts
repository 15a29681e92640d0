// Activation-method switches of a contract line: plan (who would lose access, who auto-assign
// would keep working), apply now or at a set time, list, cancel a scheduled one.
import { SwitchApplyBody, SwitchPlanBody, type SwitchApplyReply, type SwitchPlanView } from '../../../shared/api/switches.js';
import { requireLine } from '../../domain/seats.js';
import { applyLineSwitch, cancelSwitch, planLineSwitch, scheduleLineSwitch, switchView } from '../../jobs/method-switch.js';
import { warnSwitchScheduled } from '../../jobs/switch-reminder.js';
import type { OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';

function lineOf(doc: OrgDoc, lineId: string | undefined) {
  return requireLine(doc, lineId ?? '');
}

export function registerSwitchesRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/lines/:lineId/switch/plan',
    access: 'admin',
    body: SwitchPlanBody,
    summary: 'Plan an activation-method switch: every device and user that would lose access, and whom auto-assign would give seats.',
    handler: ({ s, org, params, body }): Promise<SwitchPlanView> => {
      lineOf(org.doc, params.lineId);
      return planLineSwitch(s, org.doc, params.lineId!, body.to, body.autoAssign);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/lines/:lineId/switch/apply',
    access: 'admin',
    body: SwitchApplyBody,
    summary: 'Switch the activation method now, or at runAt (the people who would lose access are mailed then, and reminded before it runs); agents get the new method, grants and revokes at once.',
    async handler({ s, org, account, params, body }): Promise<SwitchApplyReply> {
      lineOf(org.doc, params.lineId);
      const runAt = body.runAt === undefined ? undefined : typeof body.runAt === 'number' ? body.runAt : Date.parse(body.runAt);
      const lineId = params.lineId!;
      if (runAt !== undefined && runAt > s.clock()) {
        const plan = await planLineSwitch(s, org.doc, lineId, body.to, body.autoAssign);
        const sw = await scheduleLineSwitch(s, org.id, { lineId, to: body.to, autoAssign: body.autoAssign, actorId: account.id, runAt });
        await warnSwitchScheduled(s, org.id, sw, plan);
        return { switch: switchView(s.store.org(org.id)!, sw), plan };
      }
      const done = await applyLineSwitch(s, org.id, { lineId, to: body.to, autoAssign: body.autoAssign, actorId: account.id });
      return { switch: switchView(s.store.org(org.id)!, done.switch), plan: done.plan };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/switches',
    access: 'admin',
    summary: 'Activation-method switches, scheduled and done, newest first.',
    handler: ({ org }) => ({
      switches: Object.values(org.doc.switches)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((sw) => switchView(org.doc, sw)),
    }),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/switches/:switchId',
    access: 'admin',
    summary: 'Cancel a scheduled switch.',
    async handler({ s, org, account, params }) {
      const sw = await cancelSwitch(s, org.id, params.switchId!, account.id);
      return switchView(s.store.org(org.id)!, sw);
    },
  });
}
