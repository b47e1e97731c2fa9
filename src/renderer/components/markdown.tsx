/**
 * A deliberately small Markdown renderer for model cards: headings, paragraphs, bullet and numbered lists, pipe
 * tables, **bold**, `code`. It builds React elements (never HTML strings), so a package cannot
 * inject markup into the app.
 */
import { Fragment, type ReactNode } from 'react';

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const tok = m[0];
    out.push(tok.startsWith('**') ? <strong key={i++}>{tok.slice(2, -2)}</strong> : <code key={i++}>{tok.slice(1, -1)}</code>);
    last = m.index + tok.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Cells of one `| a | b |` line (a `\|` inside a cell is kept as a pipe). */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** A GitHub-style pipe table: header, `---` separator (alignment honoured), body; anything else stays text. */
function MdTable({ rows }: { rows: string[] }) {
  const sep = rows[1] !== undefined && /^\|?\s*:?-{3,}/.test(rows[1].trim()) ? cells(rows[1]) : null;
  if (!sep) return <pre className="md-pre">{rows.join('\n')}</pre>;
  const align = sep.map((s) => (s.endsWith(':') ? (s.startsWith(':') ? 'center' : 'right') : 'left') as 'left' | 'right' | 'center');
  const head = cells(rows[0] ?? '');
  return (
    <div className="table-wrap md-table-wrap">
      <table className="table table-compact md-table">
        <thead><tr>{head.map((h, n) => <th key={n} scope="col" style={{ textAlign: align[n] ?? 'left' }}>{inline(h)}</th>)}</tr></thead>
        <tbody>{rows.slice(2).map((r, k) => <tr key={k}>{cells(r).map((c, n) => <td key={n} style={{ textAlign: align[n] ?? 'left' }}>{inline(c)}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}

export function Markdown({ text }: { text: string }) {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const blocks: ReactNode[] = [];
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    if (h) {
      const level = Math.min(4, (h[1] ?? '#').length + 1);
      const content = inline(h[2] ?? '');
      blocks.push(level === 2 ? <h2 key={key++}>{content}</h2> : level === 3 ? <h3 key={key++}>{content}</h3> : <h4 key={key++}>{content}</h4>);
      i++;
      continue;
    }
    if (/^\|/.test(line)) {
      const rows: string[] = [];
      while (i < lines.length && /^\|/.test(lines[i] ?? '')) rows.push(lines[i++] ?? '');
      blocks.push(<MdTable key={key++} rows={rows} />);
      continue;
    }
    if (/^```/.test(line)) {
      const fenced = /^```/.test(line);
      const body: string[] = [];
      if (fenced) i++;
      while (i < lines.length && (fenced ? !/^```/.test(lines[i] ?? '') : /^\|/.test(lines[i] ?? ''))) body.push(lines[i++] ?? '');
      if (fenced) i++;
      blocks.push(<pre key={key++} className="md-pre">{body.join('\n')}</pre>);
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i] ?? '')) items.push((lines[i++] ?? '').replace(/^\s*([-*]|\d+\.)\s+/, ''));
      const lis = items.map((t, n) => <li key={n}>{inline(t)}</li>);
      blocks.push(ordered ? <ol key={key++}>{lis}</ol> : <ul key={key++}>{lis}</ul>);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !/^(#{1,4}\s|```|\||\s*([-*]|\d+\.)\s)/.test(lines[i] ?? '')) para.push(lines[i++] ?? '');
    blocks.push(<p key={key++}>{inline(para.join(' '))}</p>);
  }
  return <div className="markdown">{blocks.map((b, n) => <Fragment key={n}>{b}</Fragment>)}</div>;
}
