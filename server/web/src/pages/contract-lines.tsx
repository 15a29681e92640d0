// Contracts and their lines for one kind of product (desktop products or services): seats,
// activation method, who holds each seat; assign, unassign, reassign; plan a method switch.
import { useState } from 'preact/hooks';
import type { AssignBody, AssignmentView, ReassignBody, SeatSummary } from '../../../../shared/api/assignments.js';
import type { ContractLineView, ContractView, ProductView } from '../../../../shared/api/contracts.js';
import type { MemberList, MemberView } from '../../../../shared/api/members.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, Empty, ErrorNote, Loading, Select } from '../components.js';
import { dateTime, methodLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg } from '../session.js';

export function ContractLines({ kind }: { kind: ProductView['kind'] }) {
  const org = useOrg();
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const products = useApi<{ products: ProductView[] }>(orgPath(org.orgId, '/products'));
  const assignments = useApi<{ assignments: AssignmentView[] }>(orgPath(org.orgId, '/assignments'));
  const members = useApi<MemberList>(orgPath(org.orgId, '/members'));
  const seats = useApi<SeatSummary>(orgPath(org.orgId, '/seats'));
  const error = contracts.error ?? products.error ?? assignments.error ?? members.error ?? seats.error;
  if (error) return <ErrorNote error={error} />;
  if (!contracts.data || !products.data || !assignments.data || !members.data) return <Loading what="contracts" />;

  const kindOf = new Map(products.data.products.map((p) => [p.code, p]));
  const reload = async () => {
    await Promise.all([contracts.reload(), assignments.reload(), seats.reload()]);
  };
  const shown = contracts.data.contracts
    .map((c) => ({ c, lines: c.lines.filter((l) => (kindOf.get(l.productCode)?.kind ?? 'desktop') === kind) }))
    .filter((x) => x.lines.length > 0);
  if (shown.length === 0) return <Empty>{kind === 'service' ? 'No contract includes a subscription service.' : 'No contract includes a desktop product.'}</Empty>;
  return (
    <>
      {shown.map(({ c, lines }) => (
        <section class="contract" key={c.id} data-contract={c.number}>
          <h2>
            Contract {c.number} {c.active ? <span class="badge online">in force</span> : <span class="badge offline">not in force</span>}
          </h2>
          <p class="muted">
            {dateTime(c.startsAt)} – {dateTime(c.endsAt)} · serial {c.serials.join(', ')}
          </p>
          {lines.map((l) => (
            <LineCard
              key={l.id}
              line={l}
              product={kindOf.get(l.productCode)}
              inUse={seats.data?.lines.find((x) => x.lineId === l.id)?.inUse ?? 0}
              holders={assignments.data!.assignments.filter((a) => a.lineId === l.id)}
              members={members.data!.members}
              reload={reload}
            />
          ))}
        </section>
      ))}
    </>
  );
}

interface LineProps {
  line: ContractLineView;
  product: ProductView | undefined;
  inUse: number;
  holders: AssignmentView[];
  members: MemberView[];
  reload(): Promise<void>;
}

function LineCard({ line, product, inUse, holders, members, reload }: LineProps) {
  const org = useOrg();
  const [who, setWho] = useState('');
  const assign = useAction(async () => {
    await api.post(orgPath(org.orgId, '/assignments'), { lineId: line.id, accountId: who } satisfies AssignBody);
    setWho('');
    await reload();
  });
  const candidates = members.filter((m) => !holders.some((h) => h.accountId === m.accountId));
  return (
    <div class="line card" data-line={line.productCode}>
      <div class="line-head">
        <h3>
          <span class="code">{line.productCode}</span> {line.productName}
          {product?.needsProjectMembership && <span class="badge"> two-tier: needs project team</span>}
        </h3>
        {product?.kind !== 'service' && (
          <Link class="button" href={`/products/lines/${line.id}/switch`}>
            Switch activation method…
          </Link>
        )}
      </div>
      <dl class="inline-facts">
        <dt>Seats</dt>
        <dd data-col="seats">{line.seats}</dd>
        <dt>Assigned</dt>
        <dd data-col="assigned">{line.assigned}</dd>
        <dt>In use</dt>
        <dd data-col="in-use">{inUse}</dd>
        <dt>Activation</dt>
        <dd data-col="method">{methodLabel(line.method)}</dd>
      </dl>
      {holders.length === 0 ? (
        <Empty>{line.method === 'serial' ? 'No seats assigned: devices activated with the serial number use this line.' : 'No seats assigned yet.'}</Empty>
      ) : (
        <table class="holders">
          <thead>
            <tr>
              <th scope="col">Assigned to</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {holders.map((a) => (
              <HolderRow key={a.id} a={a} members={members} reload={reload} />
            ))}
          </tbody>
        </table>
      )}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void assign.run();
        }}
      >
        <Select label={`Assign a seat of ${line.productCode} to`} value={who} required onChange={(e) => setWho(e.currentTarget.value)}>
          <option value="">Choose a member…</option>
          {candidates.map((m) => (
            <option value={m.accountId}>
              {m.name} ({m.email})
            </option>
          ))}
        </Select>
        <button type="submit" disabled={assign.pending || !who}>
          Assign
        </button>
      </form>
      <ErrorNote error={assign.error} />
    </div>
  );
}

function HolderRow({ a, members, reload }: { a: AssignmentView; members: MemberView[]; reload(): Promise<void> }) {
  const org = useOrg();
  const [to, setTo] = useState('');
  const reassign = useAction(async () => {
    await api.post(orgPath(org.orgId, `/assignments/${a.id}/reassign`), { accountId: to } satisfies ReassignBody);
    await reload();
  });
  const unassign = useAction(async () => {
    await api.del(orgPath(org.orgId, `/assignments/${a.id}`));
    await reload();
  });
  const error = reassign.error ?? unassign.error;
  return (
    <>
      <tr data-holder={a.email}>
        <td>
          <Link href={`/members/${a.accountId}`}>{a.name}</Link> <span class="muted">{a.email}</span>
        </td>
        <td>{dateTime(a.assignedAt)}</td>
        <td class="actions">
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void reassign.run();
            }}
          >
            <Select label={`Reassign ${a.name}'s seat to`} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
              <option value="">Choose a member…</option>
              {members
                .filter((m) => m.accountId !== a.accountId)
                .map((m) => (
                  <option value={m.accountId}>
                    {m.name} ({m.email})
                  </option>
                ))}
            </Select>
            <button type="submit" disabled={reassign.pending || !to}>
              Reassign
            </button>
          </form>
          <ConfirmButton label="Unassign" question={`Take this seat from ${a.name}?`} confirmLabel="Yes, unassign" disabled={unassign.pending} onConfirm={() => void unassign.run()} />
        </td>
      </tr>
      {error && (
        <tr class="row-error">
          <td colSpan={3}>
            <ErrorNote error={error} />
          </td>
        </tr>
      )}
    </>
  );
}
