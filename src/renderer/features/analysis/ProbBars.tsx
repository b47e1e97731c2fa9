/** Horizontal probability bars with the number beside each (two decimals); the top label is bold and marked in words. */
import { fmtProb } from '../../lib/format.ts';

export interface ProbItem {
  label: string;
  display: string;
  p: number;
}

export function ProbBars({ items, top, caption }: { items: readonly ProbItem[]; top: string | null; caption: string }) {
  return (
    <table className="an-bars">
      <caption className="visually-hidden">{caption}</caption>
      <tbody>
        {items.map((it) => {
          const isTop = it.label === top;
          return (
            <tr key={it.label} className={isTop ? 'is-top' : undefined}>
              <th scope="row">{it.display}{isTop && <span className="visually-hidden"> (highest)</span>}</th>
              <td className="an-bar-cell">
                <span className="an-bar-track" aria-hidden="true">
                  <span className="an-bar-fill" style={{ width: `${Math.max(0, Math.min(1, it.p)) * 100}%` }} />
                </span>
              </td>
              <td className="num">{fmtProb(it.p)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Signed bars around a centre line: + to the right (accent), - to the left (grey); the signed number is printed. */
export function SignedBars({ items, caption }: { items: readonly { key: string; label: string; note?: string; value: number }[]; caption: string }) {
  const max = Math.max(...items.map((i) => Math.abs(i.value)), 1e-12);
  return (
    <table className="an-signed">
      <caption className="visually-hidden">{caption}</caption>
      <tbody>
        {items.map((it) => {
          const w = `${(Math.abs(it.value) / max) * 50}%`;
          return (
            <tr key={it.key}>
              <th scope="row">{it.label}{it.note && <span className="muted"> · {it.note}</span>}</th>
              <td className="an-signed-cell">
                <span className="an-signed-track" aria-hidden="true">
                  <span className={`an-signed-fill ${it.value >= 0 ? 'is-pos' : 'is-neg'}`} style={it.value >= 0 ? { left: '50%', width: w } : { right: '50%', width: w }} />
                </span>
              </td>
              <td className="num mono">{it.value > 0 ? '+' : it.value < 0 ? '−' : ''}{Math.abs(it.value).toPrecision(2)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
