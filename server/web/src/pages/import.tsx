// Bulk import for administrators: a CSV file of members or seat assignments (chosen or pasted),
// previewed as a dry run with one line per row, then applied, then the result per row to download.
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import type { ImportKind, ImportRowResult } from '../../../../shared/api/import.js';
import { announce } from '../a11y.js';
import { ApiError } from '../api.js';
import { ErrorNote, Form, PageHeader, ScrollBox } from '../components.js';
import { useAction } from '../hooks.js';
import { COLUMNS, CsvProblem, parseImportCsv, resultCsv, runImport, type ImportRun, type ParsedCsv } from '../import-csv.js';
import { useOrg } from '../session.js';

/** A bigger file is split first: reading it would stall the page long before the server refused it. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Rows drawn in the tables; the downloadable file has every one. */
const SHOWN_ROWS = 500;

const KINDS: Array<{ kind: ImportKind; label: string }> = [
  { kind: 'members', label: 'Members' },
  { kind: 'assignments', label: 'Seat assignments' },
];

const columnHint = (kind: ImportKind) =>
  `First line: the column names. Required: ${COLUMNS[kind].required.join(', ')}; optional: ${COLUMNS[kind].optional.join(', ')}.${kind === 'members' ? ' Several products separated by ";".' : ''}`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function summary(run: ImportRun): string {
  const { done, unchanged, refused } = run.counts;
  const rows = plural(done + unchanged + refused, 'row');
  return run.dryRun ? `${rows}: ${done} would change, ${unchanged} unchanged, ${refused} refused.` : `${rows}: ${done} done, ${unchanged} unchanged, ${refused} refused.`;
}

export function ImportPage() {
  const org = useOrg();
  const ids = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState<ImportKind>('members');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<CsvProblem | undefined>(undefined);
  const [parsed, setParsed] = useState<{ kind: ImportKind; csv: ParsedCsv } | undefined>(undefined);
  const [preview, setPreview] = useState<ImportRun | undefined>(undefined);
  const [result, setResult] = useState<ImportRun | undefined>(undefined);
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>(undefined);
  const previewHeading = useRef<HTMLHeadingElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  // Anything changed in the form makes the preview stale: it must be made again before applying.
  const changed = () => {
    setPreview(undefined);
    setParsed(undefined);
    setProblem(undefined);
  };

  const check = useAction(async () => {
    changed();
    setResult(undefined);
    let text: string;
    if (file) {
      if (file.size > MAX_FILE_BYTES) return setProblem(new CsvProblem(`${file.name} is larger than 10 MB: split it into several files.`));
      text = await file.text();
    } else text = pasted;
    if (!text.trim()) return setProblem(new CsvProblem('Choose a CSV file or paste its lines.'));
    let csv: ParsedCsv;
    try {
      csv = await parseImportCsv(text, kind);
    } catch (e) {
      if (e instanceof CsvProblem) return setProblem(e);
      throw e;
    }
    try {
      const run = await runImport(org.orgId, kind, csv, true, (done, total) => setProgress({ done, total }));
      setParsed({ kind, csv });
      setPreview(run);
      announce(`Preview: ${summary(run)}`);
    } finally {
      setProgress(undefined);
    }
  });

  const apply = useAction(async () => {
    if (!parsed) return;
    try {
      const run = await runImport(org.orgId, parsed.kind, parsed.csv, false, (done, total) => setProgress({ done, total }));
      setResult(run);
      setPreview(undefined);
      announce(`Import finished: ${summary(run)}`);
    } finally {
      setProgress(undefined);
    }
  });

  useEffect(() => {
    if (preview) previewHeading.current?.focus();
  }, [preview]);
  useEffect(() => {
    if (result) resultHeading.current?.focus();
  }, [result]);

  // "Import another file" brings the form back: focus goes to its file field once it is drawn.
  const [toFile, setToFile] = useState(false);
  useEffect(() => {
    if (!toFile || !fileInput.current) return;
    fileInput.current.focus();
    setToFile(false);
  }, [toFile, result]);
  const again = () => {
    setResult(undefined);
    changed();
    setFile(undefined);
    setPasted('');
    setToFile(true);
  };

  const errorId = `${ids}-problem`;
  const described = (hint: string) => [hint, problem ? errorId : ''].filter(Boolean).join(' ');
  const busy = check.pending || apply.pending;

  return (
    <div class="import">
      <PageHeader title="Import" />
      <p class="aside">
        Add many members or seat assignments at once from a spreadsheet saved as CSV. You see what would change first; nothing is written until you apply. Importing the
        same file again changes nothing.
      </p>
      {result ? (
        <section class="card" aria-labelledby={`${ids}-result`} data-import-result>
          <h2 id={`${ids}-result`} ref={resultHeading} tabIndex={-1}>
            Import finished
          </h2>
          <Outcome run={result} />
          <p>
            <button type="button" class="primary" onClick={again}>
              Import another file
            </button>
          </p>
        </section>
      ) : (
        <Form class="card" label="Import a CSV file" onSubmit={() => check.run()}>
          <fieldset disabled={busy}>
            <legend>The file holds</legend>
            {KINDS.map((k) => (
              <label class="check" key={k.kind}>
                <input type="radio" name="kind" value={k.kind} checked={kind === k.kind} onChange={() => (setKind(k.kind), changed())} /> {k.label}{' '}
                <span class="muted">({columnsLabel(k.kind)})</span>
              </label>
            ))}
          </fieldset>
          <div class="field">
            <label for={`${ids}-file`}>CSV file</label>
            <input
              id={`${ids}-file`}
              ref={fileInput}
              type="file"
              name="file"
              accept=".csv,text/csv,text/plain"
              disabled={busy}
              aria-describedby={described(`${ids}-hint`)}
              aria-invalid={problem ? true : undefined}
              onChange={(e) => (setFile(e.currentTarget.files?.[0]), changed())}
            />
            <small id={`${ids}-hint`} class="hint">
              {columnHint(kind)}
            </small>
          </div>
          <div class="field">
            <label for={`${ids}-paste`}>Or paste the lines of the file</label>
            <textarea
              id={`${ids}-paste`}
              name="csv"
              rows={6}
              spellcheck={false}
              disabled={busy || !!file}
              value={pasted}
              aria-describedby={described(file ? `${ids}-paste-hint` : '')}
              aria-invalid={problem ? true : undefined}
              onInput={(e) => (setPasted(e.currentTarget.value), changed())}
            />
            {file && (
              <small id={`${ids}-paste-hint`} class="hint">
                A file is chosen: its lines are used.
              </small>
            )}
          </div>
          {problem && <ErrorNote error={new ApiError(0, 'CSV', problem.message)} id={errorId} />}
          <ErrorNote error={check.error} />
          {progress && <Progress {...progress} label={check.pending ? 'Checking rows' : 'Importing rows'} />}
          <button type="submit" class="primary" disabled={busy}>
            Preview
          </button>
        </Form>
      )}
      {preview && (
        <section class="card" aria-labelledby={`${ids}-preview`} data-import-preview>
          <h2 id={`${ids}-preview`} ref={previewHeading} tabIndex={-1}>
            Preview: nothing written yet
          </h2>
          <Outcome run={preview} />
          <ErrorNote error={apply.error}>
            Rows sent before this may be imported already: preview the file again to see what is left (rows in place show as unchanged).
          </ErrorNote>
          {progress && apply.pending && <Progress {...progress} label="Importing rows" />}
          {preview.counts.done > 0 ? (
            <button type="button" class="primary" disabled={apply.pending} onClick={() => void apply.run()}>
              Apply import ({plural(preview.counts.done, 'row')})
            </button>
          ) : (
            <p>Nothing to apply: every row is unchanged or refused.</p>
          )}
        </section>
      )}
    </div>
  );
}

const columnsLabel = (kind: ImportKind) => [...COLUMNS[kind].required, ...COLUMNS[kind].optional].join(', ');

function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <p class="import-progress">
      <label>
        {label}: {done} of {total}{' '}
        <progress max={total || 1} value={done} />
      </label>
    </p>
  );
}

const STATUS_LABEL = {
  dry: { done: 'would change', unchanged: 'unchanged', refused: 'refused' },
  real: { done: 'done', unchanged: 'unchanged', refused: 'refused' },
} as const;

/** The counts, the seat shortfalls, the rows, and the file with every row. */
function Outcome({ run }: { run: ImportRun }) {
  const [show, setShow] = useState<'all' | 'refused' | 'warnings'>(run.counts.refused > 0 ? 'refused' : 'all');
  const filterId = useId();
  const href = useMemo(() => URL.createObjectURL(new Blob([resultCsv(run.results)], { type: 'text/csv;charset=utf-8' })), [run]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const rows = run.results.filter((r) => show === 'all' || (show === 'refused' ? r.status === 'refused' : r.warnings.length > 0));
  const warned = run.results.filter((r) => r.warnings.length > 0).length;
  return (
    <>
      <p data-import-summary>
        <strong>{summary(run)}</strong> {warned > 0 && `${plural(warned, 'row')} with a warning.`}
      </p>
      {run.dryRun && run.parts > 1 && (
        <p class="aside">
          This file was checked in {run.parts} parts, each on its own: a row is not checked against the seats the rows of earlier parts would take. The seat shortfalls below count
          every part.
        </p>
      )}
      {run.shortfalls.length > 0 && (
        <div class="warning" data-shortfalls>
          <p>Seat shortfall{run.shortfalls.length > 1 ? 's' : ''}:</p>
          <ul>
            {run.shortfalls.map((s) => (
              <li key={`${s.productCode} ${s.contractNumber}`} data-shortfall={s.productCode}>
                {s.productCode} (contract {s.contractNumber}) needs {plural(s.missing, 'more seat')} than are free.
              </li>
            ))}
          </ul>
        </div>
      )}
      <p>
        <a href={href} download={run.dryRun ? 'import-preview.csv' : 'import-result.csv'}>
          Download the {run.dryRun ? 'preview' : 'result'} file (CSV, one line per row)
        </a>
      </p>
      <div class="field import-filter">
        <label for={filterId}>Show</label>
        <select id={filterId} value={show} onChange={(e) => setShow(e.currentTarget.value as typeof show)}>
          <option value="all">All rows ({run.results.length})</option>
          <option value="refused">Refused rows ({run.counts.refused})</option>
          <option value="warnings">Rows with a warning ({warned})</option>
        </select>
      </div>
      <ScrollBox label="Rows of the file">
        <table class="import-rows">
          <caption class="sr-only">{run.dryRun ? 'What each row would do' : 'What each row did'}</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                Line
              </th>
              <th scope="col">Email</th>
              <th scope="col">Outcome</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, SHOWN_ROWS).map((r) => (
              <RowLine key={r.line} r={r} dry={run.dryRun} />
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {rows.length === 0 && <p class="empty">No row to show here.</p>}
      {rows.length > SHOWN_ROWS && <p class="aside">The first {SHOWN_ROWS} of {rows.length} rows are shown; the file has every one.</p>}
    </>
  );
}

function RowLine({ r, dry }: { r: ImportRowResult; dry: boolean }) {
  return (
    <tr data-line={r.line} data-status={r.status}>
      <td class="num">{r.line}</td>
      <td>{r.email || <span class="muted">(no email)</span>}</td>
      <td>
        <span class={`badge ${r.status === 'refused' ? 'revoke' : r.status === 'done' ? 'grant' : ''}`}>{STATUS_LABEL[dry ? 'dry' : 'real'][r.status]}</span>
      </td>
      <td>
        {r.status === 'refused' && <span data-reason>{r.reason}</span>}
        {r.changes.length > 0 && <span data-changes>{r.changes.join('; ')}</span>}
        {r.warnings.map((w) => (
          <span class="row-warning" data-warning>
            Warning: {w}
          </span>
        ))}
      </td>
    </tr>
  );
}
