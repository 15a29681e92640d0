// What an org admin changes about contracts on Products: a new contract (number, serials, term,
// lines), a line added, a line's seat count (never below the seats assigned: the server says
// SEAT_LIMIT_REACHED, shown on that line), and ending a contract now.
import { useEffect, useState } from 'preact/hooks';
import type { AddLineBody, ContractLineView, ContractView, CreateContractBody, ProductView, UpdateContractBody, UpdateLineBody } from '../../../../shared/api/contracts.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, CreateForm, Disclosure, ErrorNote, FormErrorNote, Field, Form, Select, Submit } from '../components.js';
import { methodLabel } from '../format.js';
import { useAction } from '../hooks.js';
import { useOrg } from '../session.js';

type Method = AddLineBody['method'];

interface LineDraft {
  productCode: string;
  seats: string;
  method: Method;
}

const emptyLine = (): LineDraft => ({ productCode: '', seats: '1', method: 'named-user' });
const toLine = (d: LineDraft): AddLineBody => ({ productCode: d.productCode, seats: Number(d.seats), method: d.method });

/** `YYYY-MM-DD` of a local date, as `<input type="date">` wants it. */
function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight starting the day `YYYY-MM-DD`, plus `days`. */
function dayStart(day: string, days = 0): number {
  const d = new Date(`${day}T00:00`);
  d.setDate(d.getDate() + days);
  return d.getTime();
}

/** Product, seats and activation method of one line; `suffix` tells lines apart in labels. */
function LineFields({ draft, onChange, products, suffix = '' }: { draft: LineDraft; onChange(d: LineDraft): void; products: ProductView[]; suffix?: string }) {
  return (
    <>
      <Select label={`Product${suffix}`} required value={draft.productCode} onChange={(e) => onChange({ ...draft, productCode: e.currentTarget.value })}>
        <option value="">Choose a product…</option>
        {products.map((p) => (
          <option value={p.code}>
            {p.name} ({p.code}){p.kind === 'service' ? ' — service' : ''}
          </option>
        ))}
      </Select>
      <Field label={`Seats${suffix}`} type="number" min={0} max={100000} required value={draft.seats} onInput={(e) => onChange({ ...draft, seats: e.currentTarget.value })} />
      <Select label={`Activation${suffix}`} value={draft.method} onChange={(e) => onChange({ ...draft, method: e.currentTarget.value as Method })}>
        {(['named-user', 'serial'] as const).map((m) => (
          <option value={m}>{methodLabel(m)}</option>
        ))}
      </Select>
    </>
  );
}

export function NewContractForm({ products, onCreated }: { products: ProductView[]; onCreated(): Promise<void> }) {
  const org = useOrg();
  const today = new Date();
  const [number, setNumber] = useState('');
  const [serials, setSerials] = useState('');
  const [starts, setStarts] = useState(isoDay(today));
  const [ends, setEnds] = useState(() => isoDay(new Date(today.getFullYear() + 1, today.getMonth(), today.getDate() - 1)));
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const create = useAction(async (close: () => void) => {
    const body: CreateContractBody = {
      number,
      serials: serials.split(/[,\n]/).map((s) => s.trim()).filter(Boolean),
      startsAt: dayStart(starts),
      // In force through the last day: it ends when the next one starts.
      endsAt: dayStart(ends, 1),
      lines: lines.map(toLine),
    };
    const c = await api.post<ContractView>(orgPath(org.orgId, '/contracts'), body);
    setCreated(c.number);
    setNumber('');
    setSerials('');
    setLines([emptyLine()]);
    close();
    await onCreated();
  });
  const setLine = (i: number) => (d: LineDraft) => setLines((ls) => ls.map((l, k) => (k === i ? d : l)));
  return (
    <div class="new-contract">
      <Disclosure label="New contract…">
        {(close) => (
          <Form class="card" onSubmit={() => create.run(close)} label="New contract">
            <h2>New contract</h2>
            <div class="two-col">
              <Field label="Contract number" name="contract-number" required value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
              <Field label="Serial numbers" name="serials" required hint="Separate several with commas." value={serials} onInput={(e) => setSerials(e.currentTarget.value)} />
              <Field label="Starts on" type="date" name="starts" required value={starts} onInput={(e) => setStarts(e.currentTarget.value)} />
              <Field label="Ends on" type="date" name="ends" required hint="In force through this day." value={ends} onInput={(e) => setEnds(e.currentTarget.value)} />
            </div>
            {lines.map((l, i) => (
              <fieldset key={i} class="inline-form">
                <legend>Line {i + 1}</legend>
                <LineFields draft={l} onChange={setLine(i)} products={products} suffix={` (line ${i + 1})`} />
                {lines.length > 1 && (
                  <button type="button" onClick={() => setLines((ls) => ls.filter((_, k) => k !== i))}>
                    Remove line {i + 1}
                  </button>
                )}
              </fieldset>
            ))}
            <p>
              <button type="button" onClick={() => setLines((ls) => [...ls, emptyLine()])}>
                Add another line
              </button>
            </p>
            <Submit action={create}>Create contract</Submit>
          </Form>
        )}
      </Disclosure>
      {created && (
        <p class="success" role="status">
          Contract {created} created.
        </p>
      )}
    </div>
  );
}

export function AddLineForm({ contract, products, onAdded }: { contract: ContractView; products: ProductView[]; onAdded(): Promise<void> }) {
  const org = useOrg();
  const [draft, setDraft] = useState<LineDraft>(emptyLine);
  const add = useAction(async (close: () => void) => {
    await api.post(orgPath(org.orgId, `/contracts/${contract.id}/lines`), toLine(draft));
    setDraft(emptyLine());
    close();
    await onAdded();
  });
  return (
    <div class="add-line">
      <Disclosure label={`Add a line to ${contract.number}…`}>
        {(close) => (
          <CreateForm label={`Add a line to ${contract.number}`} submit="Add line" action={add} onSubmit={() => add.run(close)}>
            <LineFields draft={draft} onChange={setDraft} products={products} />
          </CreateForm>
        )}
      </Disclosure>
    </div>
  );
}

/** The seat count of a line; the server refuses fewer seats than are assigned now. */
export function SeatsForm({ contract, line, onChanged }: { contract: ContractView; line: ContractLineView; onChanged(): Promise<void> }) {
  const org = useOrg();
  const [seats, setSeats] = useState(String(line.seats));
  useEffect(() => setSeats(String(line.seats)), [line.seats]);
  const change = useAction(async () => {
    await api.patch(orgPath(org.orgId, `/contracts/${contract.id}/lines/${line.id}`), { seats: Number(seats) } satisfies UpdateLineBody);
    await onChanged();
  });
  return (
    <div class="seats-form">
      <Form class="inline-form" onSubmit={change.run}>
        <Field label={`Seats of ${line.productCode}`} type="number" min={0} max={100000} required value={seats} onInput={(e) => setSeats(e.currentTarget.value)} />
        <button type="submit" disabled={change.pending || seats === String(line.seats)}>
          Change seats
        </button>
        <div class="form-error">
          <FormErrorNote error={change.error} />
        </div>
      </Form>
    </div>
  );
}

/** Ends a contract now: PATCH endsAt to this moment; its seats stop granting access at once. */
export function EndContractButton({ contract, onEnded }: { contract: ContractView; onEnded(): Promise<void> }) {
  const org = useOrg();
  const end = useAction(async () => {
    await api.patch(orgPath(org.orgId, `/contracts/${contract.id}`), { endsAt: Date.now() } satisfies UpdateContractBody);
    await onEnded();
  });
  return (
    <div class="actions">
      <ConfirmButton
        label="End contract"
        question={`End contract ${contract.number} now? Its seats stop granting access at once.`}
        confirmLabel="Yes, end it"
        disabled={end.pending}
        onConfirm={() => void end.run()}
      />
      <ErrorNote error={end.error} />
    </div>
  );
}
