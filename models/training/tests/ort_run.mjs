// Runs an ONNX model with onnxruntime-node on the cases of a parity-fixture-shaped JSON file and prints
// {"cases":[{"name", "outputs":{name:{dims,data}}}]} on stdout. Used by the Python export-parity test because
// the Debian python3-onnx (1.12) has no reference evaluator and there is no Python onnxruntime on the machine.
// usage: node ort_run.mjs MODEL.onnx CASES.json
import fs from 'node:fs';
import ort from 'onnxruntime-node';

const [modelPath, casesPath] = process.argv.slice(2);
const fixture = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
const session = await ort.InferenceSession.create(modelPath);
const out = { cases: [] };
for (const c of fixture.cases) {
  const feeds = {};
  for (const [name, t] of Object.entries(c.inputs)) {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
  }
  const res = await session.run(feeds);
  const outputs = {};
  for (const [name, t] of Object.entries(res)) {
    outputs[name] = { dims: Array.from(t.dims), data: Array.from(t.data) };
  }
  out.cases.push({ name: c.name, outputs });
}
process.stdout.write(JSON.stringify(out));
