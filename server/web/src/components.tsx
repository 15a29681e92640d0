// Small pieces every page uses: error notes, empty states, forms and their fields, table heads,
// seat bars, confirm buttons, a secret shown once with its copy button.
import type { ComponentChildren, InputHTMLAttributes, SelectHTMLAttributes } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api.js';
import { useAction } from './hooks.js';

/** An API error where the action was taken; role=alert so screen readers announce it. */
export function ErrorNote({ error, children }: { error: ApiError | undefined; children?: ComponentChildren }) {
  if (!error) return null;
  return (
    <div class="error" role="alert" data-code={error.code}>
      <span>{error.message}</span> {children}
      <small class="code">{error.code}</small>
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

export function Field({ label, hint, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} {...input} aria-describedby={hint ? `${id}-hint` : undefined} />
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

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ComponentChildren };

export function Select({ label, children, ...select }: SelectProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...select}>
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
  return (
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
      <ErrorNote error={action.error} />
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
      </Form>
      <ErrorNote error={action.error} />
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
export function PickForm({ label, placeholder, choices, submit, pending, onPick }: { label: string; placeholder: string; choices: Choice[]; submit: string; pending?: boolean; onPick(value: string): Promise<unknown> }) {
  const [value, setValue] = useState('');
  return (
    <Form class="inline-form" onSubmit={async () => (await onPick(value)) && setValue('')}>
      <Select label={label} value={value} onChange={(e) => setValue(e.currentTarget.value)}>
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
