/**
 * Which onnxruntime execution providers (EPs) to try, in order, on this machine: the vendor provider of the
 * platform, then WebGPU (bundled with onnxruntime-node on every desktop OS), then the CPU. The decision is made
 * from facts checkable before a session exists (platform, the backends this onnxruntime-node build lists, whether
 * the CUDA provider library is installed next to the native binding, and on Linux the Vulkan adapters WebGPU
 * would run on — gpu-adapter.ts); the session then tries the candidates in order and falls back to CPU, recording
 * why (docs/inference.md). The UMEML session and the tile encoder both plan here: one path, also for a provider
 * the user requested (setting or --ep).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { adapterReport, describeAdapter, isHardware, probeGpuAdapters, type AdapterProbe, type AdapterReport } from './gpu-adapter.ts';

export const EP_NAMES = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type EpName = (typeof EP_NAMES)[number];
/** Providers that run on a GPU (everything but the CPU). */
export const isGpuProvider = (ep: EpName): boolean => ep !== 'cpu';

export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** Backend names onnxruntime-node reports (listSupportedBackends), e.g. cpu, cuda, dml, coreml, webgpu. */
  supportedBackends: readonly string[];
  /** Folder of onnxruntime_binding.node, where optional provider libraries are installed (null if unknown). */
  bindingDir: string | null;
  fileExists(p: string): boolean;
  /** The GPU adapters WebGPU could use (asked only when WebGPU is considered); absent = unknown, tried anyway. */
  probeAdapters?: () => AdapterProbe;
}

export interface ProviderPlan {
  candidates: EpName[];
  /** Why a GPU provider is not a candidate (recorded with the run's provenance). */
  notices: string[];
  /** A GPU provider was requested or planned: running on the CPU is then a fallback the user is told about. */
  gpuExpected: boolean;
  /** The adapter WebGPU would use, when WebGPU is a candidate (null otherwise). */
  webgpuAdapter: AdapterReport | null;
}

export interface ProviderChoice {
  forceCpu?: boolean | undefined;
  /** A provider the user asked for (setting or --ep): tried first even if the plan would not, then the CPU. */
  requested?: EpName | undefined;
}

/** The CUDA provider is a separate shared library that onnxruntime-node does not ship in the npm package. */
export function cudaProviderLibrary(platform: NodeJS.Platform): string | null {
  if (platform === 'linux') return 'libonnxruntime_providers_cuda.so';
  if (platform === 'win32') return 'onnxruntime_providers_cuda.dll';
  return null;
}

export function planProviders(env: ProviderEnvironment, opts: ProviderChoice = {}): ProviderPlan {
  if (opts.forceCpu) return { candidates: ['cpu'], notices: ['CPU execution forced by the "forceCpu" setting.'], gpuExpected: false, webgpuAdapter: null };
  const has = (b: string) => env.supportedBackends.includes(b);
  const probe = (): AdapterProbe => env.probeAdapters?.() ?? { adapters: null, note: 'adapters not queried.' };
  if (opts.requested === 'cpu') return { candidates: ['cpu'], notices: ['CPU execution provider requested.'], gpuExpected: false, webgpuAdapter: null };
  if (opts.requested) {
    // Tried even where the facts say it cannot start: onnxruntime's own error then explains why, in the provenance.
    const notices = [`${opts.requested.toUpperCase()} execution provider requested.`];
    if (!has(opts.requested)) notices.push(`${opts.requested.toUpperCase()}: this onnxruntime-node build does not list it; trying anyway.`);
    const webgpuAdapter = opts.requested === 'webgpu' ? adapterReport(probe()) : null;
    return { candidates: [opts.requested, 'cpu'], notices, gpuExpected: true, webgpuAdapter };
  }
  const candidates: EpName[] = [];
  const notices: string[] = [];

  const cudaLib = cudaProviderLibrary(env.platform);
  if (cudaLib) {
    if (!has('cuda')) notices.push('CUDA: this onnxruntime-node build has no CUDA backend.');
    else if (!env.bindingDir || !env.fileExists(path.join(env.bindingDir, cudaLib))) notices.push(`CUDA: the provider library ${cudaLib} is not installed.`);
    else candidates.push('cuda');
  }
  if (env.platform === 'win32') {
    if (has('dml')) candidates.push('dml');
    else notices.push('DirectML: not available in this onnxruntime-node build.');
  }
  if (env.platform === 'darwin') {
    if (has('coreml')) candidates.push('coreml');
    else notices.push('CoreML: not available in this onnxruntime-node build.');
  }
  let webgpuAdapter: AdapterReport | null = null;
  if (!has('webgpu')) notices.push('WebGPU: not available in this onnxruntime-node build.');
  else {
    const p = probe();
    if (p.adapters === null) {
      candidates.push('webgpu');
      webgpuAdapter = adapterReport(p);
    } else if (p.adapters.some(isHardware)) {
      candidates.push('webgpu');
      webgpuAdapter = adapterReport({ adapters: p.adapters.filter(isHardware), note: p.note });
    } else if (p.adapters.length > 0) {
      // A CPU implementation of Vulkan (llvmpipe, SwiftShader) runs WebGPU slower than the CPU provider runs the
      // model: only on request (--ep webgpu, the setting), which is how the tests reach the GPU code path.
      notices.push(`WebGPU: only a software Vulkan device is present (${p.adapters.map(describeAdapter).join('; ')}); not used unless requested.`);
    } else notices.push(`WebGPU: ${p.note}`);
  }
  candidates.push('cpu');
  return { candidates, notices, gpuExpected: candidates.some(isGpuProvider), webgpuAdapter };
}

/** The real environment of this process. */
export function currentProviderEnvironment(supportedBackends: readonly string[]): ProviderEnvironment {
  return {
    platform: process.platform,
    arch: process.arch,
    supportedBackends,
    bindingDir: findBindingDir(),
    fileExists: (p) => fs.existsSync(p),
    probeAdapters: probeGpuAdapters,
  };
}

/** node_modules/onnxruntime-node/bin/napi-v6/<platform>/<arch>, resolved from the installed package. */
export function findBindingDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const pkgDir = path.dirname(req.resolve('onnxruntime-node/package.json'));
    const binRoot = path.join(pkgDir, 'bin');
    for (const napi of fs.existsSync(binRoot) ? fs.readdirSync(binRoot) : []) {
      const dir = path.join(binRoot, napi, process.platform, process.arch);
      if (fs.existsSync(dir)) return dir;
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Intra-op threads: every core but one, so the app's window and the slide engine stay responsive while a model
 * runs (the session lives in a worker process); at least 1, at most 16 (beyond that this small model gains
 * nothing). An explicit value wins.
 */
export function defaultIntraOpThreads(explicit?: number, cores: number = os.availableParallelism()): number {
  if (explicit !== undefined) return Math.max(1, Math.floor(explicit));
  return Math.max(1, Math.min(16, cores - 1));
}

export interface ProviderAttempt {
  provider: EpName;
  ok: boolean;
  error: string | null;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n')[0] ?? msg).slice(0, 300);
}

/**
 * Starts a session on the first provider that works, one provider per attempt: onnxruntime only reports failure
 * when the provider itself cannot start, so success means this provider is the one in use (it may still hand single
 * unsupported ops to CPU). `what` names the model in the fallback notices (e.g. " for the tile encoder").
 */
export async function startOnFirstProvider<S>(
  candidates: readonly EpName[],
  create: (ep: EpName) => Promise<S>,
  what = '',
): Promise<{ session: S | null; used: EpName; attempts: ProviderAttempt[]; notices: string[]; lastError: string | null }> {
  const attempts: ProviderAttempt[] = [];
  const notices: string[] = [];
  for (const ep of candidates) {
    try {
      const session = await create(ep);
      attempts.push({ provider: ep, ok: true, error: null });
      return { session, used: ep, attempts, notices, lastError: null };
    } catch (e) {
      attempts.push({ provider: ep, ok: false, error: firstLine(e) });
      if (ep !== 'cpu') notices.push(`${ep.toUpperCase()} could not start${what} (${firstLine(e)}); falling back.`);
    }
  }
  return { session: null, used: 'cpu', attempts, notices, lastError: attempts.at(-1)?.error ?? null };
}
