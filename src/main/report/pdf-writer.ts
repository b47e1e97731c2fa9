/**
 * Layout primitives over pdfkit: a vertical cursor with page breaks, headings, paragraphs, label/value rows, and
 * "frames" (the dashed, labelled box that marks AI output as AI-suggested, continued across page breaks). Frames
 * and the running header/footer are drawn after all content, when the page count is known (bufferPages).
 */
import type PDFDocumentType from 'pdfkit';
import { pdfText } from './pdf-text.ts';

export type Doc = PDFKit.PDFDocument;

export const PAGE = { w: 595.28, h: 841.89 };
export const MARGIN = { left: 50, right: 50, top: 78, bottom: 62 };
export const CONTENT_W = PAGE.w - MARGIN.left - MARGIN.right;
export const COLOR = { ink: '#1a1a1a', muted: '#555555', rule: '#bdbdbd', accent: '#1f5f8b', track: '#e4e4e4', bar: '#8a8a8a', warn: '#8a4b00', crit: '#9b1c1c' };
export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', mono: 'Courier' };

/** The document's bytes once it is ended (call before writing content: pdfkit streams as it goes). */
export function pdfBytes(doc: Doc): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

interface FrameSegment {
  page: number;
  top: number;
  bottom: number;
  label: string;
}

export class PdfWriter {
  y = MARGIN.top;
  private frame: { label: string; page: number; top: number } | null = null;
  readonly segments: FrameSegment[] = [];

  constructor(readonly doc: Doc) {
    // pdfkit adds pages by itself when long text flows past the bottom margin; follow it so the cursor and any
    // open frame continue on the new page.
    doc.on('pageAdded', () => {
      if (this.frame) {
        this.segments.push({ page: this.frame.page, top: this.frame.top, bottom: PAGE.h - MARGIN.bottom + 4, label: this.frame.label });
        this.frame = { label: `${this.frame.label.replace(/ \(continued\)$/, '')} (continued)`, page: this.pageIndex(), top: MARGIN.top - 4 };
      }
      this.y = MARGIN.top;
    });
  }

  get bottom(): number {
    return PAGE.h - MARGIN.bottom;
  }

  pageIndex(): number {
    const r = this.doc.bufferedPageRange();
    return r.start + r.count - 1;
  }

  /** Starts a new page unless `h` points still fit below the cursor. */
  ensure(h: number): void {
    if (this.y + h > this.bottom) this.doc.addPage();
  }

  gap(h: number): void {
    this.y += h;
  }

  heading(text: string, opts: { size?: number; keepWith?: number } = {}): void {
    const size = opts.size ?? 12.5;
    this.ensure(size + 10 + (opts.keepWith ?? 60));
    this.doc.font(FONT.bold).fontSize(size).fillColor(COLOR.ink).text(pdfText(text), MARGIN.left, this.y, { width: CONTENT_W });
    this.y = this.doc.y + 2;
    this.doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + CONTENT_W, this.y).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
    this.y += 6;
  }

  subheading(text: string, keepWith = 40): void {
    this.ensure(12 + keepWith);
    this.doc.font(FONT.bold).fontSize(9.5).fillColor(COLOR.ink).text(pdfText(text), MARGIN.left, this.y, { width: CONTENT_W });
    this.y = this.doc.y + 3;
  }

  para(text: string, opts: { size?: number; font?: string; color?: string; x?: number; width?: number; after?: number } = {}): void {
    const size = opts.size ?? 9;
    const x = opts.x ?? MARGIN.left;
    const width = opts.width ?? CONTENT_W - (x - MARGIN.left);
    this.doc.font(opts.font ?? FONT.regular).fontSize(size);
    this.ensure(Math.min(this.doc.heightOfString(pdfText(text), { width }), 120));
    this.doc.fillColor(opts.color ?? COLOR.ink).text(pdfText(text), x, this.y, { width });
    this.y = this.doc.y + (opts.after ?? 4);
  }

  /** Label/value rows; values may wrap (long ones continue on the next page). */
  rows(items: readonly (readonly [string, string])[], opts: { labelWidth?: number; size?: number; mono?: readonly string[] } = {}): void {
    const lw = opts.labelWidth ?? 140;
    const size = opts.size ?? 8.8;
    const vw = CONTENT_W - lw;
    for (const [k, v] of items) {
      const mono = opts.mono?.includes(k) ?? false;
      const value = pdfText(v === '' ? '—' : v);
      this.doc.font(mono ? FONT.mono : FONT.regular).fontSize(mono ? size - 0.8 : size);
      const h = Math.max(this.doc.heightOfString(value, { width: vw }), size + 2);
      this.ensure(Math.min(h, 200) + 2);
      const top = this.y;
      this.doc.font(FONT.bold).fontSize(size).fillColor(COLOR.muted).text(pdfText(k), MARGIN.left, top, { width: lw - 8 });
      const afterLabel = this.doc.y;
      this.doc.font(mono ? FONT.mono : FONT.regular).fontSize(mono ? size - 0.8 : size).fillColor(COLOR.ink).text(value, MARGIN.left + lw, top, { width: vw });
      // If the value flowed onto a new page the cursor is already there; otherwise take the taller column.
      this.y = (this.doc.y < top ? this.doc.y : Math.max(this.doc.y, afterLabel)) + 2.5;
    }
  }

  beginFrame(label: string): void {
    this.ensure(90);
    this.y += 8;
    this.frame = { label, page: this.pageIndex(), top: this.y };
    this.y += 10;
  }

  endFrame(): void {
    if (!this.frame) return;
    this.segments.push({ page: this.frame.page, top: this.frame.top, bottom: this.y + 4, label: this.frame.label });
    this.frame = null;
    this.y += 12;
  }

  /** Draws the recorded frames; call once on each page while decorating (switchToPage). */
  drawFramesOn(page: number): void {
    const d = this.doc;
    for (const s of this.segments.filter((x) => x.page === page)) {
      const x = MARGIN.left - 9;
      const w = CONTENT_W + 18;
      d.save();
      d.lineWidth(0.9).strokeColor(COLOR.accent).dash(3, { space: 2 }).rect(x, s.top - 4, w, s.bottom - s.top + 4).stroke().undash();
      d.font(FONT.bold).fontSize(7.5);
      const label = pdfText(s.label);
      const lw = d.widthOfString(label) + 8;
      d.rect(x + 8, s.top - 9, lw, 10).fill('#ffffff');
      d.fillColor(COLOR.accent).text(label, x + 12, s.top - 7.5, { lineBreak: false });
      d.restore();
    }
  }
}

export type PDFDocumentCtor = typeof PDFDocumentType;
