// Small pieces every page uses: error notes, empty states, form fields, seat bars.
import type { ComponentChildren, InputHTMLAttributes, SelectHTMLAttributes } from 'preact';
import { useId, useState } from 'preact/hooks';
import type { ApiError } from './api.js';

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
  if (!asking) {
    return (
      <button type="button" class="danger-outline" disabled={disabled} onClick={() => setAsking(true)}>
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
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
