/**
 * Side-effect module: import it before onnxruntime-node, everywhere onnxruntime-node is imported.
 *
 * onnxruntime 1.30's official Linux/macOS builds carry Microsoft's 1DS telemetry: on the first session they write a
 * persistent device id and a queue database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and try to upload
 * process and session events. Gliofuse runs offline in clinics and promises that nothing leaves the machine or is
 * written outside its own folders, so it turns this off with the library's opt-out variable before its first
 * session (the library reads it when it creates its environment, not when the module loads, so this also holds in
 * the bundle, where esbuild hoists the external onnxruntime-node import above this module). A value the user set
 * explicitly is kept.
 * test/integration/inference/ort-telemetry.test.ts checks that no such folder appears.
 */
export const ORT_TELEMETRY_ENV = 'ORT_DISABLE_TELEMETRY';

if (process.env[ORT_TELEMETRY_ENV] === undefined) process.env[ORT_TELEMETRY_ENV] = '1';
