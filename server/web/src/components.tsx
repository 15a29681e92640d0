// Small pieces every page uses: error notes, empty states, forms and their fields, table heads,
// seat bars, confirm buttons, a secret shown once with its copy button.
import { createContext, type ComponentChildren, type InputHTMLAttributes, type Ref, type SelectHTMLAttributes } from 'preact';
import { useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import { announce } from './a11y.js';
import type { ApiError } from './api.js';
import { useAction } from './hooks.js';

/**
 * An API error where the action was taken, as a sentence (the code is for scripts: data-code);
 * role=alert so screen readers announce it. `id` lets the form's fields point at it.
 */
export function ErrorNote({ error, children, id }: { error: ApiError | undefined; children?: ComponentChildren; id?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert" data-code={error.code} id={id}>
      <span>{error.message}</span> {children}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" aria-busy="true">Loading {what}…</p>;
}

type InputProps = InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string };

/** The form a field is in: the id of its error note while there is one, so fields point at it. */
const FormError = createContext<{ id: string; error: ApiError | undefined; set(e: ApiError | undefined): void } | null>(null);

/** aria-describedby and aria-invalid for a field: its hint, and the form's error while it shows. */
function useDescribedBy(name: unknown, hintId: string | undefined) {
  const form = useContext(FormError);
  const err = form?.error;
  const field = err?.details?.field;
  const ids = [hintId, err ? form!.id : undefined].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': err && (field === undefined || field === name) ? true : undefined };
}

export function Field({ label, hint, ...input }: InputProps) {
  const id = useId();
  const described = useDescribedBy(input.name, hint ? `${id}-hint` : undefined);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} {...input} {...described} />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** The new-password field of registering and of accepting an invitation. */
export function NewPasswordField({ label, value, onInput }: { label: string; value: string; onInput(v: string): void }) {
  return (
    <Field
      label={label}
      type="password"
      name="password"
      autocomplete="new-password"
      required
      minLength={8}
      hint="At least 8 characters."
      value={value}
      onInput={(e) => onInput(e.currentTarget.value)}
    />
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ComponentChildren; selectRef?: Ref<HTMLSelectElement> };

export function Select({ label, children, selectRef, ...select }: SelectProps) {
  const id = useId();
  const described = useDescribedBy(select.name, undefined);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} ref={selectRef} {...select} {...described}>
        {children}
      </select>
    </div>
  );
}

export function Check({ label, checked, onChange, disabled }: { label: ComponentChildren; checked: boolean; onChange(v: boolean): void; disabled?: boolean }) {
  return (
    <label class="check">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} /> <span>{label}</span>
    </label>
  );
}

/** A seat bar: in use (dark), assigned but idle (mid), free (light) out of owned. */
export function SeatBar({ owned, assigned, inUse, label }: { owned: number; assigned: number; inUse: number; label: string }) {
  const pct = (n: number) => (owned > 0 ? `${Math.min(100, (n / owned) * 100)}%` : '0%');
  const taken = Math.max(assigned, inUse);
  return (
    <div class="seatbar" role="img" aria-label={`${label}: ${inUse} in use, ${assigned} assigned, of ${owned} seats`}>
      <span class="seg taken" style={{ width: pct(taken) }} />
      <span class="seg inuse" style={{ width: pct(inUse) }} />
    </div>
  );
}

export function Badge({ kind, children }: { kind?: string; children: ComponentChildren }) {
  return <span class={`badge ${kind ?? ''}`}>{children}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children && <div class="actions">{children}</div>}
    </header>
  );
}

/** A destructive button that asks once more, inline (no modal): "Remove X? [Yes] [Keep]". */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }: { label: string; question: string; confirmLabel: string; onConfirm(): void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  // Keyboard users land on the safe answer (Keep), and back on the button when they choose it.
  const keep = useRef<HTMLButtonElement>(null);
  const again = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (answered.current) again.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button ref={again} type="button" class="danger-outline" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>{' '}
      <button type="button" class="danger" onClick={() => (setAsking(false), onConfirm())}>
        {confirmLabel}
      </button>{' '}
      <button ref={keep} type="button" onClick={() => ((answered.current = true), setAsking(false))}>
        Keep
      </button>
    </span>
  );
}

/** A form that stays on the page: submitting runs `onSubmit` (an action that shows its own error). */
export function Form({ onSubmit, class: cls, children, label }: { onSubmit(): unknown; class?: string; children: ComponentChildren; label?: string }) {
  const id = useId();
  const [error, set] = useState<ApiError | undefined>(undefined);
  return (
    <FormError.Provider value={{ id: `${id}-error`, error, set }}>
    <form
      class={cls}
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
    </FormError.Provider>
  );
}

/** Shows a form's error below it and ties the form's fields to it (aria-describedby). */
export function FormErrorNote({ error, children }: { error: ApiError | undefined; children?: ComponentChildren }) {
  const form = useContext(FormError);
  useEffect(() => form?.set(error), [error]);
  return (
    <ErrorNote error={error} id={form?.id}>
      {children}
    </ErrorNote>
  );
}

interface ActionState {
  pending: boolean;
  error: ApiError | undefined;
}

/** The end of a form: the error of its last try, then its primary button. */
export function Submit({ action, disabled, children }: { action: ActionState; disabled?: boolean; children: ComponentChildren }) {
  return (
    <>
      <FormErrorNote error={action.error} />
      <button type="submit" class="primary" disabled={disabled || action.pending}>
        {children}
      </button>
    </>
  );
}

/** "Name [____] [Create …]": the one-line form that creates something, its error below it. */
export function CreateForm({ label, submit, action, onSubmit, children }: { label: string; submit: string; action: ActionState; onSubmit(): unknown; children: ComponentChildren }) {
  return (
    <>
      <Form class="inline-form card" onSubmit={onSubmit} label={label}>
        {children}
        <button type="submit" class="primary" disabled={action.pending}>
          {submit}
        </button>
        <div class="form-error">
          <FormErrorNote error={action.error} />
        </div>
      </Form>
    </>
  );
}

/** A button that shows (and hides) what it is about, e.g. a form: "New contract…". */
export function Disclosure({ label, children }: { label: string; children(close: () => void): ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div class="disclosure">
      <button type="button" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {label}
      </button>
      {open && <div id={id}>{children(() => setOpen(false))}</div>}
    </div>
  );
}

/** Column headings; `actions` adds the last, unlabelled-to-the-eye column of row buttons. */
export function TableHead({ cols, actions }: { cols: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/** The error of a row's action, as a row of its own right below it. */
export function RowError({ error, cols }: { error: ApiError | undefined; cols: number }) {
  if (!error) return null;
  return (
    <tr class="row-error">
      <td colSpan={cols}>
        <ErrorNote error={error} />
      </td>
    </tr>
  );
}

export interface Choice {
  value: string;
  label: string;
}

export const memberChoices = (members: Array<{ accountId: string; name: string; email: string }>): Choice[] =>
  members.map((m) => ({ value: m.accountId, label: `${m.name} (${m.email})` }));

/**
 * Choose one thing and act on it: "Assign a seat to [member ▾] [Assign]". `onPick` resolves
 * truthy on success, which clears the choice; on failure the choice stays for another try.
 */
export function PickForm({
  label,
  placeholder,
  choices,
  submit,
  pending,
  onPick,
  done,
}: {
  label: string;
  placeholder: string;
  choices: Choice[];
  submit: string;
  pending?: boolean;
  onPick(value: string): Promise<unknown>;
  /** the sentence announced after a successful pick, given the chosen label */
  done?(chosen: string): string;
}) {
  const [value, setValue] = useState('');
  const select = useRef<HTMLSelectElement>(null);
  // When the chosen option leaves the list (the person was added), the select would show nothing:
  // the DOM's value is then '' already, so setting '' again changes nothing. Show the placeholder.
  useEffect(() => {
    const el = select.current;
    if (el && el.selectedIndex === -1) el.selectedIndex = 0;
  });
  const pick = async () => {
    const chosen = choices.find((c) => c.value === value)?.label ?? '';
    if (!(await onPick(value))) return;
    setValue('');
    if (select.current) select.current.selectedIndex = 0;
    if (done) announce(done(chosen));
    // The work continues here: the next person to choose (if the form is still there).
    if (select.current?.isConnected) select.current.focus();
  };
  return (
    <Form class="inline-form" onSubmit={pick}>
      <Select label={label} value={value} selectRef={select} onChange={(e) => setValue(e.currentTarget.value)}>
        <option value="">{placeholder}</option>
        {choices.map((c) => (
          <option value={c.value}>{c.label}</option>
        ))}
      </Select>
      <button type="submit" disabled={pending || !value}>
        {submit}
      </button>
    </Form>
  );
}

/** A secret the server shows once (a token, an install command), with a button that copies it. */
export function ShownOnce({ name, note, secret, copyLabel }: { name: string; note: string; secret: string; copyLabel: string }) {
  // Remembers what was copied, so a newly created secret starts out not copied.
  const [copiedText, setCopiedText] = useState<string | undefined>(undefined);
  const copy = useAction(async () => {
    await navigator.clipboard.writeText(secret);
    setCopiedText(secret);
  });
  const copied = copiedText === secret;
  return (
    <div class="card created-token" role="status">
      <p>
        Token <strong>{name}</strong> created. {note}
      </p>
      <pre class="command" data-secret>
        {secret}
      </pre>
      <button type="button" onClick={() => void copy.run()}>
        {copied ? 'Copied' : copyLabel}
      </button>
      <ErrorNote error={copy.error} />
    </div>
  );
}

/**
 * A wide table's box: on a narrow screen the table scrolls sideways inside it, not the page. Only
 * while it does scroll is the box a named region in the tab order, so keyboards can scroll it.
 */
export function ScrollBox({ label, children }: { label: string; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, []);
  return (
    <div ref={box} class="scroll-box" {...(scrolls ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {})}>
      {children}
    </div>
  );
}
