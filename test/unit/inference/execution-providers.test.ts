import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultIntraOpThreads, planProviders, type ProviderEnvironment } from '../../../src/main/inference/execution-providers.ts';
import type { GpuAdapterInfo } from '../../../src/main/inference/gpu-adapter.ts';

const NO_ADAPTER = () => ({ adapters: [], note: 'Vulkan lists no physical device, so WebGPU has no adapter.' });
const env = (over: Partial<ProviderEnvironment>): ProviderEnvironment => ({
  platform: 'linux', arch: 'x64', supportedBackends: ['cpu', 'webgpu', 'cuda', 'tensorrt'], bindingDir: '/ort/bin', fileExists: () => false, probeAdapters: NO_ADAPTER, ...over,
});
const adapter = (name: string, type: GpuAdapterInfo['type']): GpuAdapterInfo => ({ name, vendor: 'X', vendorId: '0x0001', deviceId: '0x0002', type, backend: 'vulkan', apiVersion: '1.3.0', driverVersion: 1 });

test('linux: CUDA only when its provider library is installed, CPU last', () => {
  const none = planProviders(env({}));
  assert.deepEqual(none.candidates, ['cpu']);
  assert.match(none.notices.join(' '), /libonnxruntime_providers_cuda\.so is not installed/);
  const withCuda = planProviders(env({ fileExists: (p) => p === path.join('/ort/bin', 'libonnxruntime_providers_cuda.so') }));
  assert.deepEqual(withCuda.candidates, ['cuda', 'cpu']);
  assert.deepEqual(withCuda.notices.filter((n) => n.startsWith('CUDA')), []);
});

test('win32: CUDA (if installed), then DirectML, then CPU', () => {
  const e = env({ platform: 'win32', supportedBackends: ['cpu', 'dml', 'webgpu', 'cuda'] });
  assert.deepEqual(planProviders(e).candidates, ['dml', 'cpu']);
  assert.deepEqual(planProviders({ ...e, fileExists: () => true }).candidates, ['cuda', 'dml', 'cpu']);
});

test('darwin: CoreML then CPU; never CUDA', () => {
  assert.deepEqual(planProviders(env({ platform: 'darwin', supportedBackends: ['cpu', 'coreml'], fileExists: () => true })).candidates, ['coreml', 'cpu']);
});

test('WebGPU after the vendor providers and before the CPU on every OS when a hardware adapter exists', () => {
  const gpu = () => ({ adapters: [adapter('llvmpipe', 'cpu'), adapter('RTX 4000', 'discrete')], note: 'two devices' });
  const linux = planProviders(env({ probeAdapters: gpu, fileExists: () => true }));
  assert.deepEqual(linux.candidates, ['cuda', 'webgpu', 'cpu']);
  assert.equal(linux.webgpuAdapter?.adapter?.name, 'RTX 4000');
  assert.equal(linux.gpuExpected, true);
  // Windows and macOS: no adapter query (null = unknown), so WebGPU is tried and the adapter is "not obtainable".
  const unknown = () => ({ adapters: null, note: 'not obtainable here' });
  const win = planProviders(env({ platform: 'win32', supportedBackends: ['cpu', 'dml', 'webgpu', 'cuda'], fileExists: () => true, probeAdapters: unknown }));
  assert.deepEqual(win.candidates, ['cuda', 'dml', 'webgpu', 'cpu']);
  assert.equal(win.webgpuAdapter?.adapter, null);
  assert.match(win.webgpuAdapter?.note ?? '', /not obtainable/);
  assert.deepEqual(planProviders(env({ platform: 'darwin', supportedBackends: ['cpu', 'coreml', 'webgpu'], probeAdapters: unknown })).candidates, ['coreml', 'webgpu', 'cpu']);
});

test('a software Vulkan device (SwiftShader, llvmpipe) is not planned, only used on request; no adapter at all is said', () => {
  const soft = planProviders(env({ probeAdapters: () => ({ adapters: [adapter('SwiftShader Device (Subzero)', 'cpu')], note: 'one' }) }));
  assert.deepEqual(soft.candidates, ['cpu']);
  assert.equal(soft.gpuExpected, false);
  assert.match(soft.notices.join(' '), /only a software Vulkan device is present \(SwiftShader/);
  const none = planProviders(env({}));
  assert.match(none.notices.join(' '), /WebGPU: Vulkan lists no physical device/);
  const asked = planProviders(env({ probeAdapters: () => ({ adapters: [adapter('SwiftShader Device (Subzero)', 'cpu')], note: 'one' }) }), { requested: 'webgpu' });
  assert.deepEqual(asked.candidates, ['webgpu', 'cpu']);
  assert.equal(asked.gpuExpected, true);
  assert.equal(asked.webgpuAdapter?.adapter?.name, 'SwiftShader Device (Subzero)');
  assert.match(asked.webgpuAdapter?.note ?? '', /Vulkan device enumeration/);
});

test('a requested provider is tried first whatever the plan says, then the CPU; cpu requested is CPU only', () => {
  const p = planProviders(env({ platform: 'darwin', supportedBackends: ['cpu'] }), { requested: 'cuda' });
  assert.deepEqual(p.candidates, ['cuda', 'cpu']);
  assert.match(p.notices.join(' '), /CUDA execution provider requested.*does not list it; trying anyway/);
  assert.deepEqual(planProviders(env({}), { requested: 'cpu' }).candidates, ['cpu']);
  assert.deepEqual(planProviders(env({}), { requested: 'webgpu', forceCpu: true }).candidates, ['cpu']);
});

test('forceCpu wins and says so', () => {
  const p = planProviders(env({ platform: 'win32', supportedBackends: ['cpu', 'dml'] }), { forceCpu: true });
  assert.deepEqual(p.candidates, ['cpu']);
  assert.match(p.notices[0] ?? '', /forced/);
});

test('intra-op threads: all cores but one, at least 1, at most 16, explicit wins', () => {
  assert.equal(defaultIntraOpThreads(undefined, 1), 1);
  assert.equal(defaultIntraOpThreads(undefined, 2), 1);
  assert.equal(defaultIntraOpThreads(undefined, 8), 7);
  assert.equal(defaultIntraOpThreads(undefined, 64), 16);
  assert.equal(defaultIntraOpThreads(3, 2), 3);
});

test('risk groups: below the first cut-off is low, a value equal to a cut-off goes to the higher group', async () => {
  const { riskGroup } = await import('../../../src/main/inference/umeml-session.ts');
  const m = { survival: { binEdgesDays: [0, null], riskGroups: { cutoffs: [-3, -2], names: ['low', 'intermediate', 'high'], source: 'test' } } };
  assert.equal(riskGroup(m, -3.5).name, 'low');
  assert.equal(riskGroup(m, -3).name, 'intermediate');
  assert.equal(riskGroup(m, -2.5).name, 'intermediate');
  assert.equal(riskGroup(m, -2).name, 'high');
  assert.equal(riskGroup(m, 0).index, 2);
});

test('adapter report: Dawn\'s high-performance order (discrete, integrated, virtual, CPU), other devices listed, unknown said', async () => {
  const { adapterReport, preferredAdapter } = await import('../../../src/main/inference/gpu-adapter.ts');
  const list = [adapter('SwiftShader', 'cpu'), adapter('Intel UHD', 'integrated'), adapter('RTX', 'discrete')];
  assert.equal(preferredAdapter(list)?.name, 'RTX');
  assert.equal(preferredAdapter([adapter('SwiftShader', 'cpu'), adapter('Intel UHD', 'integrated')])?.name, 'Intel UHD');
  assert.equal(preferredAdapter([]), null);
  const r = adapterReport({ adapters: list, note: '' });
  assert.equal(r.adapter?.name, 'RTX');
  assert.match(r.note, /does not report the adapter Dawn chose.*other devices: SwiftShader .*Intel UHD/);
  assert.deepEqual(adapterReport({ adapters: null, note: 'not obtainable: x' }), { adapter: null, note: 'not obtainable: x' });
  assert.match(adapterReport({ adapters: [], note: 'no loader' }).note, /no adapter found: no loader/);
});
