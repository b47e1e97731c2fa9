import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultIntraOpThreads, planProviders, type ProviderEnvironment } from '../../../src/main/inference/execution-providers.ts';

const env = (over: Partial<ProviderEnvironment>): ProviderEnvironment => ({
  platform: 'linux', arch: 'x64', supportedBackends: ['cpu', 'webgpu', 'cuda', 'tensorrt'], bindingDir: '/ort/bin', fileExists: () => false, ...over,
});

test('linux: CUDA only when its provider library is installed, CPU last', () => {
  const none = planProviders(env({}));
  assert.deepEqual(none.candidates, ['cpu']);
  assert.match(none.notices.join(' '), /libonnxruntime_providers_cuda\.so is not installed/);
  const withCuda = planProviders(env({ fileExists: (p) => p === path.join('/ort/bin', 'libonnxruntime_providers_cuda.so') }));
  assert.deepEqual(withCuda.candidates, ['cuda', 'cpu']);
  assert.deepEqual(withCuda.notices, []);
});

test('win32: CUDA (if installed), then DirectML, then CPU', () => {
  const e = env({ platform: 'win32', supportedBackends: ['cpu', 'dml', 'webgpu', 'cuda'] });
  assert.deepEqual(planProviders(e).candidates, ['dml', 'cpu']);
  assert.deepEqual(planProviders({ ...e, fileExists: () => true }).candidates, ['cuda', 'dml', 'cpu']);
});

test('darwin: CoreML then CPU; never CUDA', () => {
  assert.deepEqual(planProviders(env({ platform: 'darwin', supportedBackends: ['cpu', 'coreml'], fileExists: () => true })).candidates, ['coreml', 'cpu']);
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
