/**
 * The one ONNX graph edit the app needs, done on the protobuf bytes without an ONNX library: append a
 * DequantizeLinear node on an existing quantized tensor and expose its result as a new graph output. This turns
 * the ONNX Model Zoo's MobileNetV2 int8 classifier (output `output`, [N, 1000] logits) into a tile encoder with a
 * second output `features` ([N, 1280], the dequantized global-average-pool), exactly like the DERIVED file in
 * ../shared/data/models. The weights and every existing node are kept byte for byte.
 *
 * Protobuf facts used: a message is a sequence of (tag, value) fields; length-delimited fields (wire type 2) carry
 * their byte length as a varint. ModelProto.graph = field 7; GraphProto.node = 1, GraphProto.output = 12;
 * NodeProto input = 1, output = 2, name = 3, op_type = 4; ValueInfoProto name = 1, type = 2;
 * TypeProto.tensor_type = 1; TypeProto.Tensor elem_type = 1, shape = 2; TensorShapeProto.dim = 1;
 * Dimension dim_value = 1, dim_param = 2 (onnx.proto3).
 */
import { GliofuseError } from '../../shared/errors.ts';

interface Field {
  no: number;
  wire: number;
  /** Whole field bytes (tag + value) as found. */
  raw: Uint8Array;
  /** Payload of a length-delimited field. */
  payload: Uint8Array | null;
}

function readVarint(b: Uint8Array, i: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (i >= b.length) throw new GliofuseError('INTEGRITY', 'truncated protobuf (varint)');
    const c = b[i++] as number;
    result += (c & 0x7f) * mul;
    if (c < 0x80) return [result, i];
    mul *= 128;
  }
  throw new GliofuseError('INTEGRITY', 'malformed protobuf varint');
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (i < b.length) {
    const start = i;
    let tag: number;
    [tag, i] = readVarint(b, i);
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    let payload: Uint8Array | null = null;
    if (wire === 0) [, i] = readVarint(b, i);
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      let len: number;
      [len, i] = readVarint(b, i);
      if (i + len > b.length) throw new GliofuseError('INTEGRITY', 'truncated protobuf (length-delimited field)');
      payload = b.subarray(i, i + len);
      i += len;
    } else throw new GliofuseError('INTEGRITY', `unsupported protobuf wire type ${wire}`);
    out.push({ no, wire, raw: b.subarray(start, i), payload });
  }
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function lenField(no: number, payload: Uint8Array | number[]): number[] {
  const p = payload instanceof Uint8Array ? Array.from(payload) : payload;
  return [...varint(no * 8 + 2), ...varint(p.length), ...p];
}
const strField = (no: number, s: string) => lenField(no, Array.from(enc.encode(s)));
const intField = (no: number, v: number) => [...varint(no * 8), ...varint(v)];

export interface DequantizeOutputEdit {
  /** The quantized tensor to dequantize (must exist in the graph). */
  tensor: string;
  scale: string;
  zeroPoint: string;
  /** Name of the new float32 output. */
  output: string;
  nodeName: string;
  /** Output shape: a symbolic batch dimension name, then fixed dimensions. */
  batchDim: string;
  dims: number[];
}

/** Names of every node output in a GraphProto (to check the tensor exists and the new name is free). */
function nodeOutputs(graph: Uint8Array): Set<string> {
  const names = new Set<string>();
  for (const f of fields(graph)) {
    if (f.no !== 1 || !f.payload) continue;
    for (const nf of fields(f.payload)) if (nf.no === 2 && nf.payload) names.add(dec.decode(nf.payload));
  }
  return names;
}

function graphOutputNames(graph: Uint8Array): Set<string> {
  const names = new Set<string>();
  for (const f of fields(graph)) {
    if (f.no !== 12 || !f.payload) continue;
    for (const vf of fields(f.payload)) if (vf.no === 1 && vf.payload) names.add(dec.decode(vf.payload));
  }
  return names;
}

/** Returns a new model (bytes) with the DequantizeLinear node appended and its result exposed as an output. */
export function addDequantizedOutput(model: Uint8Array, e: DequantizeOutputEdit): Uint8Array {
  const top = fields(model);
  const graphFields = top.filter((f) => f.no === 7 && f.wire === 2);
  if (graphFields.length !== 1 || !graphFields[0]?.payload) throw new GliofuseError('INTEGRITY', 'the ONNX file has no single graph');
  const graph = graphFields[0].payload;
  const produced = nodeOutputs(graph);
  if (!produced.has(e.tensor)) throw new GliofuseError('INTEGRITY', `the ONNX graph has no tensor "${e.tensor}" to expose`);
  if (produced.has(e.output) || graphOutputNames(graph).has(e.output)) throw new GliofuseError('INTEGRITY', `the ONNX graph already has a tensor named "${e.output}"`);

  const node = [
    ...strField(1, e.tensor), ...strField(1, e.scale), ...strField(1, e.zeroPoint),
    ...strField(2, e.output), ...strField(3, e.nodeName), ...strField(4, 'DequantizeLinear'),
  ];
  const dimsBytes = [lenField(1, strField(2, e.batchDim)), ...e.dims.map((d) => lenField(1, intField(1, d)))].flat();
  const tensorType = [...intField(1, 1 /* FLOAT */), ...lenField(2, dimsBytes)];
  const valueInfo = [...strField(1, e.output), ...lenField(2, lenField(1, tensorType))];

  // Rebuild the graph: the new node after the last node, the new output after the last output.
  const gf = fields(graph);
  const lastNode = gf.reduce((k, f, i) => (f.no === 1 ? i : k), -1);
  const lastOutput = gf.reduce((k, f, i) => (f.no === 12 ? i : k), -1);
  if (lastNode < 0 || lastOutput < 0) throw new GliofuseError('INTEGRITY', 'the ONNX graph has no nodes or no outputs');
  const parts: Uint8Array[] = [];
  gf.forEach((f, i) => {
    parts.push(f.raw);
    if (i === lastNode) parts.push(Uint8Array.from(lenField(1, node)));
    if (i === lastOutput) parts.push(Uint8Array.from(lenField(12, valueInfo)));
  });
  const newGraph = concat(parts);

  const out: Uint8Array[] = [];
  for (const f of top) {
    if (f.no === 7 && f.wire === 2) out.push(Uint8Array.from(varint(7 * 8 + 2)), Uint8Array.from(varint(newGraph.length)), newGraph);
    else out.push(f.raw);
  }
  return concat(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  return bytes;
}
