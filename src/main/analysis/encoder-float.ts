/**
 * The float tile encoder: the pinned int8 MobileNetV2 rewritten with float operators and dequantised weights, so
 * a GPU provider can run all of it (issue 17). Under CUDA, DirectML and WebGPU the int8 file's QLinear operators
 * have no GPU kernel and fall back to the CPU: the encoder then gains nothing from the GPU (measured on WebGPU:
 * outputs identical to the CPU's bit for bit).
 *
 * Derived in code, reproducibly, from the int8 file (upstream or with the `features` output — both give the same
 * bytes), at the moment a GPU provider first needs it; the result is checked against a pinned sha256 before use.
 * Nothing is downloaded and nothing from ../shared is committed.
 *
 * The rewrite, operator by operator (x_f = (x_q − zp)·scale is the float value an int8 tensor stands for):
 *   QuantizeLinear(x)              → Clip(x, lo, hi)
 *   QLinearConv(x, w, B)           → Conv(x, W_f, B_f) → Clip(lo, hi); W_f = (w − w_zp)·w_scale per output channel,
 *                                    B_f = B·x_scale·w_scale (the int32 bias's scale by definition)
 *   QLinearAdd(a, b)               → Add(a, b) → Clip(lo, hi)   (a constant operand is dequantised)
 *   QLinearGlobalAveragePool(x)    → GlobalAveragePool(x) → Clip(lo, hi)
 *   QLinearMatMul(a, w)            → MatMul(a, W_f) → Clip(lo, hi)
 *   DequantizeLinear(x)            → Identity(x)
 *   shape operators (Shape, Gather, Unsqueeze, Concat, Reshape) are kept as they are.
 * lo/hi = the float range the output's uint8/int8 type can represent, (q_min − zp)·s … (q_max − zp)·s: the int8
 * model clips there (this is where its fused ReLU6 lives), so the float model does too. What it does not do is
 * round every activation to 256 levels — the float features differ from the int8 ones by that rounding only
 * (docs/inference.md, "Float tile encoder": cosine similarity on real tiles).
 */
import { GliofuseError } from '../../shared/errors.ts';
import type { DequantizeOutputEdit } from './onnx-surgery.ts';

// ---- protobuf reading (BigInt varints: int8/int32 values are stored sign-extended to 64 bits) --------------------

interface Field { no: number; wire: number; raw: Uint8Array; payload: Uint8Array | null; value: bigint }

function readVarint(b: Uint8Array, i: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let k = 0; k < 10; k++) {
    if (i >= b.length) throw new GliofuseError('INTEGRITY', 'truncated protobuf (varint)');
    const c = b[i++] as number;
    result |= BigInt(c & 0x7f) << shift;
    if (c < 0x80) return [result, i];
    shift += 7n;
  }
  throw new GliofuseError('INTEGRITY', 'malformed protobuf varint');
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (i < b.length) {
    const start = i;
    let tag: bigint;
    [tag, i] = readVarint(b, i);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let payload: Uint8Array | null = null;
    let value = 0n;
    if (wire === 0) [value, i] = readVarint(b, i);
    else if (wire === 1) { payload = b.subarray(i, i + 8); i += 8; }
    else if (wire === 5) { payload = b.subarray(i, i + 4); i += 4; }
    else if (wire === 2) {
      let len: bigint;
      [len, i] = readVarint(b, i);
      const n = Number(len);
      if (i + n > b.length) throw new GliofuseError('INTEGRITY', 'truncated protobuf (length-delimited field)');
      payload = b.subarray(i, i + n);
      i += n;
    } else throw new GliofuseError('INTEGRITY', `unsupported protobuf wire type ${wire}`);
    out.push({ no, wire, raw: b.subarray(start, i), payload, value });
  }
  return out;
}

/** Repeated integer field values, packed or not. */
function ints(fs: Field[], no: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fs) {
    if (f.no !== no) continue;
    if (f.wire === 0) out.push(f.value);
    else if (f.wire === 2 && f.payload) {
      let i = 0;
      while (i < f.payload.length) {
        let v: bigint;
        [v, i] = readVarint(f.payload, i);
        out.push(v);
      }
    }
  }
  return out;
}

const dec = new TextDecoder();
const str = (fs: Field[], no: number): string => { const f = fs.find((x) => x.no === no && x.payload); return f?.payload ? dec.decode(f.payload) : ''; };
const strs = (fs: Field[], no: number): string[] => fs.filter((x) => x.no === no && x.payload).map((x) => dec.decode(x.payload as Uint8Array));

// ---- protobuf writing --------------------------------------------------------------------------------------------

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
  out.push(Number(v));
  return out;
}
const enc = new TextEncoder();
function lenField(no: number, payload: Uint8Array | number[]): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  const head = [...varint(no * 8 + 2), ...varint(p.length)];
  const out = new Uint8Array(head.length + p.length);
  out.set(head, 0);
  out.set(p, head.length);
  return out;
}
const strField = (no: number, s: string) => lenField(no, enc.encode(s));
const intField = (no: number, v: number | bigint) => Uint8Array.from([...varint(no * 8), ...varint(v)]);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

// ---- the ONNX pieces -------------------------------------------------------------------------------------------

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7;

interface Tensor { name: string; dims: number[]; type: number; raw: Uint8Array; values: () => Float64Array }

function readTensor(b: Uint8Array): Tensor {
  const fs = fields(b);
  const type = Number(fs.find((f) => f.no === 2)?.value ?? 0n);
  const dims = ints(fs, 1).map(Number);
  const rawData = fs.find((f) => f.no === 9)?.payload ?? null;
  const count = dims.reduce((s, d) => s * d, 1);
  const values = (): Float64Array => {
    const out = new Float64Array(count);
    if (rawData) {
      const dv = new DataView(rawData.buffer, rawData.byteOffset, rawData.byteLength);
      for (let k = 0; k < count; k++) {
        out[k] = type === FLOAT ? dv.getFloat32(k * 4, true) : type === UINT8 ? dv.getUint8(k) : type === INT8 ? dv.getInt8(k)
          : type === INT32 ? dv.getInt32(k * 4, true) : type === INT64 ? Number(dv.getBigInt64(k * 8, true)) : NaN;
      }
    } else if (type === FLOAT) {
      const packed = fs.filter((f) => f.no === 4);
      let k = 0;
      for (const f of packed) {
        const p = f.payload as Uint8Array;
        const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
        for (let o = 0; o + 4 <= p.length; o += 4) out[k++] = dv.getFloat32(o, true);
      }
    } else {
      const v = ints(fs, type === INT64 ? 7 : 5);
      for (let k = 0; k < count; k++) out[k] = Number(BigInt.asIntN(type === INT64 ? 64 : 32, v[k] ?? 0n));
    }
    if (out.some((x) => Number.isNaN(x))) throw new GliofuseError('INTEGRITY', `tensor of unsupported type ${type} in the encoder`);
    return out;
  };
  return { name: str(fs, 8), dims, type, raw: b, values };
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): Uint8Array {
  const data = new Float32Array(values.length);
  for (let k = 0; k < values.length; k++) data[k] = values[k] as number;
  return concat([...dims.map((d) => intField(1, d)), intField(2, FLOAT), strField(8, name), lenField(9, new Uint8Array(data.buffer))]);
}

interface Node { inputs: string[]; outputs: string[]; name: string; op: string; domain: string; attrs: Uint8Array[]; raw: Uint8Array }

/*
 * Everything copied from the source graph is re-encoded in one canonical layout (attributes, value infos, int64
 * constants), so the upstream file and the ../shared copy — the same graph serialised by different writers —
 * derive to the same bytes.
 */
function canonicalAttr(payload: Uint8Array): Uint8Array {
  const fs = fields(payload);
  const parts: Uint8Array[] = [strField(1, str(fs, 1))];
  for (const f of fs) {
    if (f.no === 1 || f.no === 20 || f.no === 8) continue;
    if (f.no === 3 && f.wire === 0) parts.push(intField(3, f.value));
    else if (f.no === 2 && f.wire === 5 && f.payload) parts.push(concat([Uint8Array.from(varint(2 * 8 + 5)), f.payload]));
    else if (f.no === 4 && f.payload) parts.push(lenField(4, f.payload));
    else throw new GliofuseError('INTEGRITY', `unsupported attribute field ${f.no} in the encoder`);
  }
  for (const v of ints(fs, 8)) parts.push(intField(8, v));
  parts.push(intField(20, fs.find((f) => f.no === 20)?.value ?? 0n));
  return lenField(5, concat(parts));
}

function canonicalValueInfo(fieldNo: number, payload: Uint8Array): Uint8Array {
  const fs = fields(payload);
  const tt = fields(fields(fs.find((f) => f.no === 2)?.payload ?? new Uint8Array()).find((f) => f.no === 1)?.payload ?? new Uint8Array());
  const elem = tt.find((f) => f.no === 1)?.value ?? 0n;
  const dims = fields(tt.find((f) => f.no === 2)?.payload ?? new Uint8Array()).filter((f) => f.no === 1 && f.payload).map((f) => {
    const d = fields(f.payload as Uint8Array);
    const param = d.find((x) => x.no === 2 && x.payload);
    return lenField(1, param ? strField(2, dec.decode(param.payload as Uint8Array)) : intField(1, d.find((x) => x.no === 1)?.value ?? 0n));
  });
  return lenField(fieldNo, concat([strField(1, str(fs, 1)), lenField(2, lenField(1, concat([intField(1, elem), lenField(2, concat(dims))])))]));
}

function canonicalInt64Tensor(t: Tensor): Uint8Array {
  if (t.type !== INT64) throw new GliofuseError('INTEGRITY', `constant "${t.name}" of a shape operator is not int64`);
  const v = t.values();
  const raw = new Uint8Array(v.length * 8);
  const dv = new DataView(raw.buffer);
  v.forEach((x, k) => dv.setBigInt64(k * 8, BigInt(x), true));
  return concat([...t.dims.map((d) => intField(1, d)), intField(2, INT64), strField(8, t.name), lenField(9, raw)]);
}

function readNode(b: Uint8Array): Node {
  const fs = fields(b);
  return { inputs: strs(fs, 1), outputs: strs(fs, 2), name: str(fs, 3), op: str(fs, 4), domain: str(fs, 7), attrs: fs.filter((f) => f.no === 5 && f.payload).map((f) => canonicalAttr(f.payload as Uint8Array)), raw: b };
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Uint8Array[] = []): Uint8Array {
  return concat([...inputs.map((s) => strField(1, s)), ...outputs.map((s) => strField(2, s)), strField(3, name), strField(4, op), ...attrs]);
}

// ---- the derivation --------------------------------------------------------------------------------------------

export const FLOAT_DERIVATION_VERSION = 'gliofuse-float-encoder/1';

/**
 * The float model (bytes) of an int8 QLinear ONNX encoder; `features` names the tensor exposed as the features
 * output (the same edit the int8 file gets, onnx-surgery.ts). Deterministic: same input graph → same bytes.
 */
export function deriveFloatEncoder(model: Uint8Array, features: DequantizeOutputEdit): Uint8Array {
  const top = fields(model);
  const graphField = top.filter((f) => f.no === 7 && f.payload);
  if (graphField.length !== 1) throw new GliofuseError('INTEGRITY', 'the ONNX file has no single graph');
  const g = fields(graphField[0]?.payload as Uint8Array);
  const inits = new Map<string, Tensor>();
  for (const f of g) if (f.no === 5 && f.payload) { const t = readTensor(f.payload); inits.set(t.name, t); }
  const nodes = g.filter((f) => f.no === 1 && f.payload).map((f) => readNode(f.payload as Uint8Array)).filter((n) => !n.outputs.includes(features.output));

  const init = (name: string): Tensor => {
    const t = inits.get(name);
    if (!t) throw new GliofuseError('INTEGRITY', `the encoder has no constant "${name}"`);
    return t;
  };
  const scalar = (name: string): number => {
    const v = init(name).values();
    if (v.length !== 1) throw new GliofuseError('INTEGRITY', `"${name}" should be a scalar`);
    return v[0] as number;
  };
  /** The float range of a quantized tensor with this scale and zero point (its type from the zero point). */
  const range = (scaleName: string, zpName: string): [number, number] => {
    const s = scalar(scaleName);
    const zp = scalar(zpName);
    const [qmin, qmax] = init(zpName).type === INT8 ? [-128, 127] : [0, 255];
    return [Math.fround((qmin - zp) * s), Math.fround((qmax - zp) * s)];
  };
  /** Dequantises a constant per element of `axis` (scale/zero point scalar or one per slice of that axis). */
  const dequant = (t: Tensor, scaleName: string, zpName: string, axis: number): Float64Array => {
    const v = t.values();
    const s = init(scaleName).values();
    const z = init(zpName).values();
    const inner = t.dims.slice(axis + 1).reduce((a, d) => a * d, 1);
    const n = t.dims[axis] ?? 1;
    const out = new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) {
      const c = Math.floor(k / inner) % n;
      out[k] = ((v[k] as number) - (z.length === 1 ? z[0] as number : z[c] as number)) * (s.length === 1 ? s[0] as number : s[c] as number);
    }
    return out;
  };

  const outNodes: Uint8Array[] = [];
  const outInits: Uint8Array[] = [];
  const clip = (x: string, y: string, lohi: [number, number], name: string) => {
    outInits.push(floatTensor(`${y}__min`, [], [lohi[0]]), floatTensor(`${y}__max`, [], [lohi[1]]));
    outNodes.push(node('Clip', [x, `${y}__min`, `${y}__max`], [y], `${name}__clip`));
  };
  const used = new Set<string>();
  const floatConst = (name: string, dims: number[], values: ArrayLike<number>): string => {
    outInits.push(floatTensor(name, dims, values));
    return name;
  };
  const operand = (name: string, scale: string, zp: string): string => {
    if (!inits.has(name)) return name;
    const t = init(name);
    return floatConst(`${name}__float`, t.dims, dequant(t, scale, zp, 0));
  };

  for (const n of nodes) {
    const i = n.inputs;
    const y = n.outputs[0] as string;
    switch (n.op) {
      case 'QuantizeLinear':
        clip(i[0] as string, y, range(i[1] as string, i[2] as string), n.name);
        break;
      case 'DequantizeLinear':
        outNodes.push(node('Identity', [i[0] as string], [y], n.name));
        break;
      case 'QLinearConv': {
        const [x, xs, , w, ws, wz, ys, yz, b] = i as [string, string, string, string, string, string, string, string, string | undefined];
        const wt = init(w);
        const wf = floatConst(`${w}__float`, wt.dims, dequant(wt, ws, wz, 0));
        const inputs = [x, wf];
        if (b) {
          const bv = init(b).values();
          const sx = scalar(xs);
          const sw = init(ws).values();
          inputs.push(floatConst(`${b}__float`, [bv.length], Array.from(bv, (v, c) => v * sx * (sw.length === 1 ? sw[0] as number : sw[c] as number))));
        }
        outNodes.push(node('Conv', inputs, [`${y}__conv`], n.name, n.attrs));
        clip(`${y}__conv`, y, range(ys, yz), n.name);
        break;
      }
      case 'QLinearAdd': {
        const [a, as, az, b, bs, bz, ys, yz] = i as string[] as [string, string, string, string, string, string, string, string];
        outNodes.push(node('Add', [operand(a, as, az), operand(b, bs, bz)], [`${y}__add`], n.name));
        clip(`${y}__add`, y, range(ys, yz), n.name);
        break;
      }
      case 'QLinearGlobalAveragePool': {
        const channelsLast = n.attrs.some((a) => {
          const af = fields(lenPayload(a));
          return str(af, 1) === 'channels_last' && Number(af.find((f) => f.no === 3)?.value ?? 0n) !== 0;
        });
        if (channelsLast) throw new GliofuseError('INTEGRITY', 'channels-last average pooling is not supported by the float derivation');
        outNodes.push(node('GlobalAveragePool', [i[0] as string], [`${y}__pool`], n.name));
        clip(`${y}__pool`, y, range(i[3] as string, i[4] as string), n.name);
        break;
      }
      case 'QLinearMatMul': {
        const [a, , , w, ws, wz, ys, yz] = i as [string, string, string, string, string, string, string, string];
        const wt = init(w);
        // Per-column scale: dequantise along the last axis.
        const wf = floatConst(`${w}__float`, wt.dims, dequant(wt, ws, wz, wt.dims.length - 1));
        outNodes.push(node('MatMul', [a, wf], [`${y}__matmul`], n.name));
        clip(`${y}__matmul`, y, range(ys, yz), n.name);
        break;
      }
      case 'Shape': case 'Gather': case 'Unsqueeze': case 'Concat': case 'Reshape': case 'Flatten': case 'Squeeze':
        if (n.domain) throw new GliofuseError('INTEGRITY', `unexpected operator ${n.domain}.${n.op} in the encoder`);
        for (const x of i) if (inits.has(x) && !used.has(x)) { used.add(x); outInits.push(canonicalInt64Tensor(init(x))); }
        outNodes.push(node(n.op, n.inputs, n.outputs, n.name, n.attrs));
        break;
      default:
        throw new GliofuseError('INTEGRITY', `the float derivation does not know the operator ${n.domain ? `${n.domain}.` : ''}${n.op}`);
    }
  }
  outNodes.push(node('Identity', [features.tensor], [features.output], features.nodeName));

  // Graph inputs: the image only. Outputs: the classifier logits as they were, and the features.
  const inputs = g.filter((f) => f.no === 11 && f.payload && !inits.has(str(fields(f.payload), 1))).map((f) => canonicalValueInfo(11, f.payload as Uint8Array));
  const outputs = g.filter((f) => f.no === 12 && f.payload && str(fields(f.payload), 1) !== features.output).map((f) => canonicalValueInfo(12, f.payload as Uint8Array));
  const dims = concat([lenField(1, strField(2, features.batchDim)), ...features.dims.map((d) => lenField(1, intField(1, d)))]);
  const tensorType = concat([intField(1, FLOAT), lenField(2, dims)]);
  outputs.push(lenField(12, concat([strField(1, features.output), lenField(2, lenField(1, tensorType))])));

  const graph = concat([
    ...outNodes.map((n) => lenField(1, n)), strField(2, 'gliofuse_float_encoder'), ...outInits.map((t) => lenField(5, t)),
    strField(10, `Derived by ${FLOAT_DERIVATION_VERSION} from a QLinear int8 graph: dequantised weights, float operators, the int8 output ranges kept as Clip.`),
    ...inputs, ...outputs,
  ]);
  return concat([
    intField(1, 7), // ir_version 7 (opset 12)
    strField(2, 'gliofuse'), strField(3, FLOAT_DERIVATION_VERSION),
    lenField(7, graph),
    lenField(8, concat([strField(1, ''), intField(2, 12)])),
  ]);
}

/** The payload of a length-delimited field given as whole field bytes (tag + length + payload). */
function lenPayload(raw: Uint8Array): Uint8Array {
  let i = 0;
  [, i] = readVarint(raw, i);
  let len: bigint;
  [len, i] = readVarint(raw, i);
  return raw.subarray(i, i + Number(len));
}
