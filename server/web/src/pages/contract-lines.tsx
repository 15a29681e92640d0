// Contracts and their lines for one kind of product (desktop products or services): seats,
// activation method, who holds each seat; assign, unassign, reassign; plan a method switch.
// Org admins also create contracts, add lines, change a line's seats and end contracts; a team
// admin sees the contracts attached to their teams and gives seats to their teams' members.
import { confirmingNearMiss } from '../near-miss.js';
import type { AssignBody, AssignmentView, ReassignBody, SeatSummary } from '../../../../shared/api/assignments.js';
import type { ContractLineView, ContractView, ProductView } from '../../../../shared/api/contracts.js';
import type { ProductKind as Kind } from '../../../../shared/protocol/common.js';
import type { MemberList, MemberView } from '../../../../shared/api/members.js';
import { announce } from '../a11y.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, Empty, ErrorNote, Loading, PickForm, RowError, TableHead, memberChoices, ScrollBox } from '../components.js';
import { dateTime, methodLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg, useSession } from '../session.js';
import { AddLineForm, EndContractButton, NewContractForm, SeatsForm } from './contract-forms.js';

export function ContractLines({ kind }: { kind: Kind }) {
  const org = useOrg();
  const { isAdmin, adminTeams = [] } = useSession();
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const products = useApi<{ products: ProductView[] }>(orgPath(org.orgId, '/products'));
  const assignments = useApi<{ assignments: AssignmentView[] }>(orgPath(org.orgId, '/assignments'));
  const members = useApi<MemberList>(orgPath(org.orgId, '/members'));
  // Seats in use now come from the seat summary, which only org admins may read.
  const seats = useApi<SeatSummary>(isAdmin ? orgPath(org.orgId, '/seats') : null);
  const error = contracts.error ?? products.error ?? assignments.error ?? members.error ?? seats.error;
  if (error) return <ErrorNote error={error} />;
  if (!contracts.data || !products.data || !assignments.data || !members.data) return <Loading what="contracts" />;

  const byCode = new Map(products.data.products.map((p) => [p.code, p]));
  const kindOf = (code: string): Kind => byCode.get(code)?.kind ?? 'desktop';
  const reload = async () => {
    await Promise.all([contracts.reload(), assignments.reload(), seats.reload()]);
  };
  // A team admin gives seats to the members of the teams they administer, nobody else.
  const mine = new Set(adminTeams.map((t) => t.id));
  const eligible = isAdmin ? members.data.members : members.data.members.filter((m) => m.teams.some((t) => mine.has(t.id)));
  // A contract without lines yet shows with the desktop products, where an admin adds them.
  const shown = contracts.data.contracts
    .map((c) => ({ c, lines: c.lines.filter((l) => kindOf(l.productCode) === kind) }))
    .filter((x) => x.lines.length > 0 || (isAdmin && kind === 'desktop' && x.c.lines.length === 0));
  const catalog = products.data.products;
  return (
    <>
      {isAdmin && kind === 'desktop' && <NewContractForm products={catalog} onCreated={reload} />}
      {shown.length === 0 ? (
        <Empty>
          {!isAdmin
            ? 'No contract attached to the teams you administer includes these products.'
            : kind === 'service'
              ? 'No contract includes a subscription service.'
              : 'No contract includes a desktop product.'}
        </Empty>
      ) : (
        shown.map(({ c, lines }) => (
          <section class="contract" key={c.id} data-contract={c.number}>
            <div class="line-head">
              <h2>
                Contract {c.number} {c.active ? <span class="badge online">in force</span> : <span class="badge offline">not in force</span>}
              </h2>
              {isAdmin && c.active && <EndContractButton contract={c} onEnded={reload} />}
            </div>
            <p class="muted">
              {dateTime(c.startsAt)} – {dateTime(c.endsAt)} · serial {c.serials.join(', ')}
            </p>
            {lines.map((l) => (
              <LineCard
                key={l.id}
                contract={c}
                line={l}
                product={byCode.get(l.productCode)}
                inUse={seats.data?.lines.find((x) => x.lineId === l.id)?.inUse}
                holders={assignments.data!.assignments.filter((a) => a.lineId === l.id)}
                members={eligible}
                reload={reload}
              />
            ))}
            {isAdmin && <AddLineForm contract={c} products={catalog.filter((p) => p.kind === kind)} onAdded={reload} />}
          </section>
        ))
      )}
    </>
  );
}

interface LineProps {
  contract: ContractView;
  line: ContractLineView;
  product: ProductView | undefined;
  /** undefined when the caller may not see the seat summary */
  inUse: number | undefined;
  holders: AssignmentView[];
  /** who may be given a seat */
  members: MemberView[];
  reload(): Promise<void>;
}

function LineCard({ contract, line, product, inUse, holders, members, reload }: LineProps) {
  const org = useOrg();
  const { isAdmin } = useSession();
  const assign = useAction(async (accountId: string) => {
    await confirmingNearMiss((confirmNearMiss) => api.post(orgPath(org.orgId, '/assignments'), { lineId: line.id, accountId, ...(confirmNearMiss ? { confirmNearMiss } : {}) } satisfies AssignBody));
    await reload();
    return true;
  });
  const candidates = members.filter((m) => !holders.some((h) => h.accountId === m.accountId));
  return (
    <div class="line card" data-line={line.productCode}>
      <div class="line-head">
        <h3>
          <span class="code">{line.productCode}</span> {line.productName}
          {product?.needsProjectMembership && <span class="badge"> two-tier: needs project team</span>}
        </h3>
        {isAdmin && (
          <div class="actions">
            <SeatsForm contract={contract} line={line} onChanged={reload} />
            {product?.kind !== 'service' && (
              <Link class="button" href={`/products/lines/${line.id}/switch`}>
                Switch activation method…
              </Link>
            )}
          </div>
        )}
      </div>
      <dl class="inline-facts">
        <dt>Seats</dt>
        <dd data-col="seats">{line.seats}</dd>
        <dt>Assigned</dt>
        <dd data-col="assigned">{line.assigned}</dd>
        {inUse !== undefined && (
          <>
            <dt>In use</dt>
            <dd data-col="in-use">{inUse}</dd>
          </>
        )}
        <dt>Activation</dt>
        <dd data-col="method">{methodLabel(line.method)}</dd>
      </dl>
      {holders.length === 0 ? (
        <Empty>{line.method === 'serial' ? 'No seats assigned: devices activated with the serial number use this line.' : 'No seats assigned yet.'}</Empty>
      ) : (
        <ScrollBox label="Seat holders"><table class="holders">
          <TableHead cols={['Assigned to', 'Since']} actions />
          <tbody>
            {holders.map((a) => (
              <HolderRow key={a.id} a={a} active={contract.active} members={members} reload={reload} />
            ))}
          </tbody>
        </table></ScrollBox>
      )}
      {contract.active &&
        (line.assigned >= line.seats ? (
          <p class="aside" data-line-full>
            All {line.seats} seats are assigned. Unassign one{isAdmin ? ', or add seats,' : ''} to give a seat to someone else.
          </p>
        ) : (
          <PickForm
            label={`Assign a seat of ${line.productCode} to`}
            placeholder="Choose a member…"
            choices={memberChoices(candidates)}
            submit="Assign"
            pending={assign.pending}
            onPick={assign.run}
            done={(who) => `Seat of ${line.productCode} assigned to ${who}.`}
          />
        ))}
      <ErrorNote error={assign.error} />
    </div>
  );
}

/** One seat holder; a seat moves to someone else only while its contract is in force. */
function HolderRow({ a, active, members, reload }: { a: AssignmentView; active: boolean; members: MemberView[]; reload(): Promise<void> }) {
  const org = useOrg();
  const reassign = useAction(async (accountId: string) => {
    await api.post(orgPath(org.orgId, `/assignments/${a.id}/reassign`), { accountId } satisfies ReassignBody);
    await reload();
    return true;
  });
  const unassign = useAction(async () => {
    await api.del(orgPath(org.orgId, `/assignments/${a.id}`));
    await reload();
    announce(`Seat taken from ${a.name}.`);
  });
  return (
    <>
      <tr data-holder={a.email}>
        <td>
          <Link href={`/members/${a.accountId}`}>{a.name}</Link> <span class="muted">{a.email}</span>
        </td>
        <td>{dateTime(a.assignedAt)}</td>
        <td class="actions">
          {active && (
            <PickForm
              label={`Reassign ${a.name}'s seat to`}
              placeholder="Choose a member…"
              choices={memberChoices(members.filter((m) => m.accountId !== a.accountId))}
              submit="Reassign"
              pending={reassign.pending}
              onPick={reassign.run}
              done={(who) => `${a.name}'s seat reassigned to ${who}.`}
            />
          )}
          <ConfirmButton label="Unassign" question={`Take this seat from ${a.name}?`} confirmLabel="Yes, unassign" disabled={unassign.pending} onConfirm={() => void unassign.run()} />
        </td>
      </tr>
      <RowError error={reassign.error ?? unassign.error} cols={3} />
    </>
  );
}
