import { useId, useState, type FormEvent } from 'react';
import type { RunSnapshot, StartAnalysisInput } from '../../../shared/index.ts';
import { useStartAnalysis } from '../../react/index.ts';
import { errorMessage, inputIssues, isUnauthorized } from '../auth/errors.ts';
import { useReportUnauthorized } from '../auth/unauthorized.tsx';
import { kindLabel, shortId } from '../format.ts';
import { analysisForms } from './analysis-forms.ts';
import type { AnalysisForm, FieldSpec } from './field-spec.ts';

type Values = Record<string, string | boolean>;

function defaultValues(form: AnalysisForm | undefined): Values {
  const values: Values = {};
  for (const field of form?.fields ?? []) {
    values[field.name] = field.type === 'boolean' ? field.default : field.default === null ? '' : String(field.default);
  }
  return values;
}

/** The form's values as the analysis input; empty optional fields are left out, so the schema's defaults apply. */
function toInput(form: AnalysisForm, values: Values): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of form.fields) {
    const value = values[field.name];
    if (field.type === 'boolean') input[field.name] = value === true;
    else if (typeof value === 'string' && value.trim() !== '') {
      input[field.name] = field.type === 'integer' || field.type === 'number' ? Number(value) : value;
    }
  }
  return input;
}

function rangeHint(field: FieldSpec): string {
  const parts: string[] = [];
  if (field.type === 'integer' || field.type === 'number') {
    if (field.min !== null && field.max !== null)
      parts.push(`${field.min.toLocaleString()}–${field.max.toLocaleString()}`);
    else if (field.min !== null) parts.push(`at least ${field.min.toLocaleString()}`);
    else if (field.max !== null) parts.push(`at most ${field.max.toLocaleString()}`);
  }
  if (field.type !== 'boolean' && field.default !== null) parts.push(`default ${field.default.toLocaleString()}`);
  return [field.description, parts.join(', ')].filter(Boolean).join(' · ');
}

function Field(props: {
  field: FieldSpec;
  value: string | boolean | undefined;
  issues: string[] | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const { field, value, issues } = props;
  const id = useId();
  const hint = rangeHint(field);
  const describedBy = [hint && `${id}-hint`, issues && `${id}-issues`].filter(Boolean).join(' ') || undefined;
  const common = { id, name: field.name, 'aria-describedby': describedBy, 'aria-invalid': issues ? true : undefined };

  let control;
  if (field.type === 'boolean') {
    control = (
      <input {...common} type="checkbox" checked={value === true} onChange={(e) => props.onChange(e.target.checked)} />
    );
  } else if (field.type === 'enum') {
    control = (
      <select {...common} value={String(value ?? '')} onChange={(e) => props.onChange(e.target.value)}>
        {field.options.map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    );
  } else if (field.type === 'string') {
    control = (
      <input
        {...common}
        type="text"
        value={String(value ?? '')}
        required={field.required}
        maxLength={field.maxLength ?? undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="number"
        inputMode={field.type === 'integer' ? 'numeric' : 'decimal'}
        step={field.type === 'integer' ? 1 : 'any'}
        min={field.min ?? undefined}
        max={field.max ?? undefined}
        required={field.required}
        value={String(value ?? '')}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }

  return (
    <div className="field" data-type={field.type}>
      <label htmlFor={id}>{field.label}</label>
      {control}
      {hint && (
        <small id={`${id}-hint`} className="field-hint">
          {hint}
        </small>
      )}
      {issues && (
        <small id={`${id}-issues`} className="field-error">
          {issues.join('; ')}
        </small>
      )}
    </div>
  );
}

/** Starts a run of a built-in analysis; the fields come from its input schema (see build/analysis-forms.ts). */
export function StartForm({ onStarted }: { onStarted: (run: RunSnapshot) => void }) {
  const [kind, setKind] = useState(analysisForms[0]?.kind);
  const form = analysisForms.find((candidate) => candidate.kind === kind);
  const [values, setValues] = useState<Values>(() => defaultValues(form));
  const [announcement, setAnnouncement] = useState('');
  const start = useStartAnalysis();
  useReportUnauthorized(start.error);
  const kindSelectId = useId();

  if (!form) return <p className="empty">This server has no analyses to start.</p>;
  const issues = inputIssues(start.error);
  const formIssues = [
    ...(issues.get('') ?? []),
    ...[...issues]
      .filter(([name]) => name !== '' && !form.fields.some((f) => f.name === name))
      .flatMap(([, messages]) => messages),
  ];
  const otherError =
    start.error && issues.size === 0 && !isUnauthorized(start.error) ? errorMessage(start.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement('');
    // the fields were derived from this kind's schema when the page was built; the server validates again
    const request = { kind: form.kind, input: toInput(form, values) } as StartAnalysisInput;
    start.mutate(request, {
      onSuccess: (run) => {
        onStarted(run);
        setAnnouncement(`Run ${shortId(run.id)} started.`);
      },
    });
  };

  return (
    <section className="panel" aria-labelledby="start-heading">
      <header className="panel-header">
        <h2 id="start-heading">Start a run</h2>
      </header>
      <form className="start-form" onSubmit={submit}>
        {analysisForms.length > 1 && (
          <div className="field">
            <label htmlFor={kindSelectId}>Analysis</label>
            <select
              id={kindSelectId}
              value={kind}
              onChange={(e) => {
                const next = analysisForms.find((candidate) => candidate.kind === e.target.value);
                setKind(next?.kind);
                setValues(defaultValues(next));
                start.reset();
              }}
            >
              {analysisForms.map((candidate) => (
                <option key={candidate.kind} value={candidate.kind}>
                  {kindLabel(candidate.kind)}
                </option>
              ))}
            </select>
          </div>
        )}
        <fieldset>
          <legend>{kindLabel(form.kind)}</legend>
          <div className="fields">
            {form.fields.map((field) => (
              <Field
                key={field.name}
                field={field}
                value={values[field.name]}
                issues={issues.get(field.name)}
                onChange={(value) => setValues((previous) => ({ ...previous, [field.name]: value }))}
              />
            ))}
          </div>
          <p className="muted stages-hint">Stages: {form.stages.map((stage) => stage.label).join(' → ')}</p>
        </fieldset>
        {(formIssues.length > 0 || otherError) && (
          <div className="notice notice-error" role="alert">
            {formIssues.length > 0 ? formIssues.join('; ') : `Could not start the run: ${otherError}`}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Start run'}
          </button>
          <button
            type="button"
            className="button-quiet"
            onClick={() => {
              setValues(defaultValues(form));
              start.reset();
            }}
          >
            Reset to defaults
          </button>
          <span className="muted" role="status">
            {announcement}
          </span>
        </div>
      </form>
    </section>
  );
}
