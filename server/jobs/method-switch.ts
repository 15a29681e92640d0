// Carrying out activation-method switches: now (one transaction: method, auto-assignments, the
// switch record, audit), or later (stored as scheduled, so a restart does not lose it).
import { SeatkeeperError } from '../../shared/errors.js';
import type { MethodSwitchView, SwitchPlanView } from '../../shared/api/switches.js';
import { auditEvent } from '../domain/audit.js';
import { findLine } from '../domain/entitlements.js';
import { seatLimitsReached } from '../domain/webhooks.js';
import { applySwitch, decideSwitch, planSwitchSteps, type AccountLookup, type SwitchPlan } from '../domain/switch-plan.js';
import { runSliced } from '../core/slicer.js';
import { mailPermissionsChanged, seatGiven } from '../mail/permissions-mail.js';
import type { Services } from '../core/services.js';
import type { ActivationMethod, MethodSwitch, OrgDoc } from '../domain/model.js';

export const accountLookup =
  (s: Services): AccountLookup =>
  (id) => {
    const a = s.store.global().accounts[id];
    return a ? { email: a.email, name: a.name } : undefined;
  };

export function switchView(doc: OrgDoc, sw: MethodSwitch): MethodSwitchView {
  // Who was warned stays inside: the view is what the API documents.
  const { warned: _warned, remindedAt: _reminded, ...view } = sw;
  return { ...view, productCode: findLine(doc, sw.lineId)?.line.productCode ?? null };
}

/** The plan, simulated in slices: an organization of thousands of devices does not freeze the server. */
export function planLineSwitch(s: Services, doc: OrgDoc, lineId: string, to: ActivationMethod, autoAssign: boolean): Promise<SwitchPlanView> {
  return runSliced(planSwitchSteps(doc, lineId, to, autoAssign, s.clock(), accountLookup(s)));
}

/** Applies a switch now; `scheduledId` names the scheduled switch being carried out. */
export async function applyLineSwitch(
  s: Services,
  orgId: string,
  req: { lineId: string; to: ActivationMethod; autoAssign: boolean; actorId: string; scheduledId?: string },
): Promise<{ switch: MethodSwitch; plan: SwitchPlan }> {
  const now = s.clock();
  // Who loses access is simulated before the transaction, in slices (it walks every device using
  // the product); what the switch does (the method, the auto-assignments) is decided again inside
  // it, so it is exactly the state it changes. Both read the plain document, not the write-watching view.
  const doc0 = s.store.org(orgId);
  if (!doc0) throw new SeatkeeperError('NOT_FOUND', 'No such organization.');
  const simulated = await runSliced(planSwitchSteps(doc0, req.lineId, req.to, req.autoAssign, now, accountLookup(s)));
  const result = await s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const existing = req.scheduledId ? doc.switches[req.scheduledId] : undefined;
    if (req.scheduledId && existing?.status !== 'scheduled') throw new SeatkeeperError('CONFLICT', 'That switch is no longer scheduled.');
    const decided = decideSwitch(s.store.org(orgId)!, req.lineId, req.to, req.autoAssign, now, accountLookup(s));
    const plan: SwitchPlan = { ...decided, losesAccess: simulated.losesAccess, keepsAccess: simulated.keepsAccess };
    const made = applySwitch(doc, plan, { actorId: req.actorId, now, newId: s.ids, ...(existing ? { existing } : {}) });
    t.audit(
      auditEvent(s.ids, now, orgId, req.actorId, 'line.method-switch', req.lineId, { method: plan.from }, {
        method: plan.to,
        switchId: made.switch.id,
        autoAssigned: plan.wouldAssign.map((p) => p.accountId),
        losesAccess: plan.losesAccess.devices.map((d) => d.deviceId),
      }),
    );
    for (const a of made.assignments) {
      t.audit(auditEvent(s.ids, now, orgId, req.actorId, 'assignment.create', a.id, null, { lineId: a.lineId, accountId: a.accountId, via: 'method-switch' }));
    }
    return { switch: { ...made.switch }, plan, limits: seatLimitsReached(doc, made.assignments.map((a) => a.lineId)) };
  });
  const { plan } = result;
  for (const l of result.limits) s.events.emit('seat-limit', { orgId, at: now, ...l });
  s.gateway.rightsChanged({ orgId, reason: 'method-switched', lineIds: [req.lineId] });
  s.events.emit('feed', {
    orgId,
    at: now,
    kind: 'method-switch',
    text: `${plan.productCode} on contract ${plan.contractNumber} switched from ${plan.from} to ${plan.to} activation${plan.wouldAssign.length ? `; seats given to ${plan.wouldAssign.map((p) => p.email).join(', ')}` : ''}`,
    productCode: plan.productCode,
  });
  for (const p of plan.wouldAssign) {
    s.events.emit('feed', { orgId, at: now, kind: 'assignment', text: `${p.email} was given a ${plan.productCode} seat (method switch)`, productCode: plan.productCode, accountId: p.accountId });
  }
  if (plan.wouldAssign.length > 0) {
    const doc = s.store.org(orgId)!;
    const what = `${doc.products[plan.productCode]?.name ?? plan.productCode} (contract ${plan.contractNumber})`;
    // Auto-assign only ever gives seats on a switch to named-user (sign-in) activation.
    const change = `${what} switched to sign-in activation. ${seatGiven(what, plan.to)}`;
    await Promise.all(plan.wouldAssign.map((p) => mailPermissionsChanged(s, p.accountId, doc.org.name, [change])));
  }
  return result;
}

export async function scheduleLineSwitch(
  s: Services,
  orgId: string,
  req: { lineId: string; to: ActivationMethod; autoAssign: boolean; actorId: string; runAt: number },
): Promise<MethodSwitch> {
  const now = s.clock();
  return s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const found = findLine(doc, req.lineId);
    if (!found) throw new SeatkeeperError('NOT_FOUND', 'No such contract line.');
    if (found.line.method === req.to) throw new SeatkeeperError('CONFLICT', `${found.line.productCode} already uses ${req.to} activation.`);
    if (Object.values(doc.switches).some((x) => x.lineId === req.lineId && x.status === 'scheduled')) {
      throw new SeatkeeperError('CONFLICT', 'A switch of this line is already scheduled; cancel it first.');
    }
    const sw: MethodSwitch = {
      id: s.ids('swi'),
      lineId: req.lineId,
      from: found.line.method,
      to: req.to,
      autoAssign: req.autoAssign,
      runAt: req.runAt,
      status: 'scheduled',
      createdBy: req.actorId,
      createdAt: now,
      appliedAt: null,
    };
    doc.switches[sw.id] = sw;
    t.audit(auditEvent(s.ids, now, orgId, req.actorId, 'line.method-switch.schedule', req.lineId, null, { switchId: sw.id, to: req.to, runAt: req.runAt }));
    return { ...sw };
  });
}

export async function cancelSwitch(s: Services, orgId: string, switchId: string, actorId: string): Promise<MethodSwitch> {
  const now = s.clock();
  return s.store.tx((t) => {
    const doc = t.org(orgId)!;
    const sw = doc.switches[switchId];
    if (!sw) throw new SeatkeeperError('NOT_FOUND', 'No such switch.');
    if (sw.status !== 'scheduled') throw new SeatkeeperError('CONFLICT', `That switch is ${sw.status}; only a scheduled one can be cancelled.`);
    sw.status = 'cancelled';
    t.audit(auditEvent(s.ids, now, orgId, actorId, 'line.method-switch.cancel', sw.lineId, { status: 'scheduled' }, { status: 'cancelled', switchId }));
    return { ...sw };
  });
}

/** Applies every scheduled switch whose time has come; returns how many were applied. */
export async function runDueSwitches(s: Services): Promise<number> {
  const now = s.clock();
  let applied = 0;
  for (const orgId of s.store.orgIds()) {
    const due = Object.values(s.store.org(orgId)!.switches).filter((x) => x.status === 'scheduled' && x.runAt !== null && x.runAt <= now);
    for (const sw of due) {
      try {
        await applyLineSwitch(s, orgId, { lineId: sw.lineId, to: sw.to, autoAssign: sw.autoAssign, actorId: sw.createdBy, scheduledId: sw.id });
        applied++;
      } catch (e) {
        // Nothing left to switch (someone switched by hand meanwhile): the scheduled one is moot.
        if (e instanceof SeatkeeperError && (e.code === 'CONFLICT' || e.code === 'NOT_FOUND')) {
          await s.store
            .tx((t) => {
              const x = t.org(orgId)!.switches[sw.id];
              if (x?.status === 'scheduled') x.status = 'cancelled';
            })
            .catch(() => {});
          s.log.warn('scheduled method switch dropped', { orgId, switchId: sw.id, reason: e.message });
        } else s.log.error('scheduled method switch failed; will retry', { orgId, switchId: sw.id, error: (e as Error).message });
      }
    }
  }
  return applied;
}
