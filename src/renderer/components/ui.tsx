/** Shared building blocks: every input has a label, every icon button an accessible name, errors a live region. */
import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { Icon, type IconName } from './icons.tsx';
import { fmtInt } from '../lib/format.ts';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export function Button({ variant = 'secondary', icon, busy, children, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; icon?: IconName; busy?: boolean }) {
  return (
    <button type="button" {...rest} className={`btn btn-${variant} ${className ?? ''}`} disabled={rest.disabled || busy} aria-busy={busy || undefined}>
      {icon && <Icon name={icon} size={16} />}
      {children && <span>{children}</span>}
    </button>
  );
}

/** A link styled as a button (navigation stays a link for the keyboard and screen readers). */
export function LinkButton({ href, variant = 'secondary', icon, children }: { href: string; variant?: Variant; icon?: IconName; children: ReactNode }) {
  return (
    <a href={href} className={`btn btn-${variant}`}>
      {icon && <Icon name={icon} size={16} />}
      <span>{children}</span>
    </a>
  );
}

interface FieldShell {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  /** Marks identifying fields (PHI) next to the label. */
  phi?: boolean;
  optional?: boolean;
}

function FieldFrame({ id, label, hint, error, phi, optional, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="field-optional"> (optional)</span>}
        {phi && <span className="phi-tag" title="Identifying information (PHI)">PHI</span>}
      </label>
      {children}
      {hint && <div className="field-hint" id={`${id}-hint`}>{hint}</div>}
      {error && <div className="field-error" id={`${id}-err`}>{error}</div>}
    </div>
  );
}

export function TextField({ label, hint, error, phi, optional, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} phi={phi} optional={optional}>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
    </FieldFrame>
  );
}

export function TextAreaField({ label, hint, error, phi, optional, ...input }: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} phi={phi} optional={optional}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
    </FieldFrame>
  );
}

export function SelectField({ label, hint, error, phi, optional, options, ...select }: FieldShell & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly { value: string; label: string }[] }) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} phi={phi} optional={optional}>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...select}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </FieldFrame>
  );
}

export function Checkbox({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" {...input} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** Always rendered (with reserved height) so a message appearing does not push the layout around. */
export function FormMessage({ error, success }: { error?: string | null; success?: string | null }) {
  return (
    <div className={`form-message${error ? ' is-error' : success ? ' is-success' : ''}`} role={error ? 'alert' : 'status'} aria-live="polite">
      {error ? <><Icon name="warning" size={16} /> <span>{error}</span></> : success ? <><Icon name="check" size={16} /> <span>{success}</span></> : null}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions, eyebrow }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; eyebrow?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {eyebrow && <div className="page-eyebrow">{eyebrow}</div>}
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function EmptyState({ icon = 'info', title, children, action }: { icon?: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <Icon name={icon} size={28} />
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorPanel({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error-panel" role="alert">
      <Icon name="warning" size={18} />
      <span>{message}</span>
      {onRetry && <Button variant="ghost" onClick={onRetry}>Try again</Button>}
    </div>
  );
}

export function Pager({ offset, limit, total, onChange, label = 'items' }: { offset: number; limit: number; total: number; onChange: (offset: number) => void; label?: string }) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager-info" aria-live="polite">{fmtInt(from)}–{fmtInt(to)} of {fmtInt(total)} {label}</span>
      <Button variant="ghost" icon="chevron-left" aria-label="Previous page" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))} />
      <Button variant="ghost" icon="chevron-right" aria-label="Next page" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)} />
    </nav>
  );
}

export function SearchBox({ value, onChange, label, placeholder }: { value: string; onChange: (v: string) => void; label: string; placeholder?: string }) {
  const id = useId();
  return (
    <div className="search-box">
      <label htmlFor={id} className="visually-hidden">{label}</label>
      <Icon name="search" size={16} />
      <input id={id} type="search" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} autoComplete="off" spellCheck={false} />
    </div>
  );
}

export function Section({ title, actions, children, className }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`section ${className ?? ''}`} aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        {actions && <div className="section-actions">{actions}</div>}
      </div>
      <div className="section-body">{children}</div>
    </section>
  );
}

/** Definition list of label/value pairs. */
export function Facts({ items }: { items: readonly [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === '' ? <span className="muted">—</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Placeholder rows that keep a table's height while its first page loads. */
export function SkeletonRows({ cols, rows = 5 }: { cols: number; rows?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: cols }, (_, c) => <td key={c}><span className="skeleton" /></td>)}
        </tr>
      ))}
    </>
  );
}
