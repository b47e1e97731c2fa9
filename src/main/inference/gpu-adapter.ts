/**
 * Which GPU adapters the WebGPU execution provider can see, described for the provider plan and the provenance.
 *
 * onnxruntime-node 1.30 does not report the adapter its WebGPU provider (Dawn) selected: `ort.env.webgpu` is empty
 * in Node, the provider logs only pointers, and Dawn's C API is not exported from libonnxruntime. On Linux Dawn
 * runs on Vulkan, so Gliofuse asks the Vulkan loader itself (libvulkan.so.1 through koffi, the FFI the slide engine
 * already uses) for the physical devices: name, vendor, device type, API and driver version. Dawn's adapter
 * request (power preference "high-performance") takes a discrete GPU before an integrated one before a virtual
 * one before a CPU implementation (SwiftShader, llvmpipe), so the first device in that order is the one named as
 * the probable adapter; the provenance says it was derived this way. On Windows (D3D12) and macOS (Metal) there is
 * no such query here, and the provenance says the adapter is not obtainable.
 *
 * Enumerating devices loads the installed Vulkan drivers (the same ones Dawn loads a moment later), in the worker
 * process that runs the session; the answer is cached per thread.
 */
import { createRequire } from 'node:module';
import type { TypeObject } from 'koffi';

// Loaded on first probe only: the CLI and the main process import the provider plan without ever probing.
type Koffi = typeof import('koffi');
let koffiModule: Koffi | null = null;
const loadKoffi = (): Koffi => (koffiModule ??= createRequire(import.meta.url)('koffi') as Koffi);

export type AdapterType = 'discrete' | 'integrated' | 'virtual' | 'cpu' | 'other';

export interface GpuAdapterInfo {
  name: string;
  vendor: string;
  vendorId: string;
  deviceId: string;
  type: AdapterType;
  backend: 'vulkan';
  apiVersion: string;
  driverVersion: number;
}

export interface AdapterProbe {
  /** null = this platform offers no query (Windows, macOS): unknown, not absent. */
  adapters: GpuAdapterInfo[] | null;
  /** How the list was obtained, or why it could not be. */
  note: string;
}

/** What a run's provenance says about the adapter of a WebGPU session. */
export interface AdapterReport {
  adapter: GpuAdapterInfo | null;
  note: string;
}

const VENDORS: Record<number, string> = {
  0x10de: 'NVIDIA', 0x1002: 'AMD', 0x1022: 'AMD', 0x8086: 'Intel', 0x13b5: 'Arm', 0x5143: 'Qualcomm', 0x106b: 'Apple',
  0x1ae0: 'Google (SwiftShader)', 0x10005: 'Mesa', 0x1010: 'Imagination', 0x14e4: 'Broadcom', 0x144d: 'Samsung',
};
const TYPES: AdapterType[] = ['other', 'integrated', 'discrete', 'virtual', 'cpu'];
/** Dawn's high-performance order. */
const PREFERENCE: AdapterType[] = ['discrete', 'integrated', 'virtual', 'other', 'cpu'];

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const vkVersion = (v: number) => `${v >>> 22}.${(v >>> 12) & 0x3ff}.${v & 0xfff}`;

let cached: AdapterProbe | null = null;

/** Vulkan's dispatchable handles as opaque pointer types (declared once per thread: koffi types are global). */
let vkTypes: { instance: TypeObject; device: TypeObject } | null = null;
function vulkanTypes(koffi: Koffi): { instance: TypeObject; device: TypeObject } {
  vkTypes ??= { instance: koffi.pointer(koffi.opaque()), device: koffi.pointer(koffi.opaque()) };
  return vkTypes;
}

/** Hardware adapters are everything but CPU implementations of Vulkan. */
export function isHardware(a: GpuAdapterInfo): boolean {
  return a.type !== 'cpu';
}

/** The adapter Dawn's high-performance request takes from this list (null when empty). */
export function preferredAdapter(adapters: readonly GpuAdapterInfo[]): GpuAdapterInfo | null {
  return [...adapters].sort((a, b) => PREFERENCE.indexOf(a.type) - PREFERENCE.indexOf(b.type))[0] ?? null;
}

export function describeAdapter(a: GpuAdapterInfo): string {
  return `${a.name} (${a.vendor}, ${a.type}, ${a.backend} ${a.apiVersion})`;
}

/** The adapter probe of this process (platform query, cached). */
export function probeGpuAdapters(): AdapterProbe {
  if (cached) return cached;
  cached = process.platform === 'linux' ? probeVulkan() : { adapters: null, note: `not obtainable: onnxruntime-node does not report the WebGPU adapter, and Gliofuse queries adapters only through Vulkan on Linux (this is ${process.platform}).` };
  return cached;
}

/** The report stored with a WebGPU run. */
export function adapterReport(probe: AdapterProbe): AdapterReport {
  if (!probe.adapters) return { adapter: null, note: probe.note };
  const a = preferredAdapter(probe.adapters);
  if (!a) return { adapter: null, note: `no adapter found: ${probe.note}` };
  const others = probe.adapters.filter((x) => x !== a).map(describeAdapter);
  return {
    adapter: a,
    note: `derived from Vulkan device enumeration (onnxruntime-node does not report the adapter Dawn chose; Dawn's high-performance preference takes this device)${others.length ? `; other devices: ${others.join('; ')}` : ''}.`,
  };
}

function probeVulkan(): AdapterProbe {
  const koffi = loadKoffi();
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('libvulkan.so.1');
  } catch {
    return { adapters: [], note: 'the Vulkan loader libvulkan.so.1 is not installed, so WebGPU has no adapter (Debian: apt install libvulkan1 and a Vulkan driver).' };
  }
  try {
    const t = vulkanTypes(koffi);
    const create = lib.func('vkCreateInstance', 'int32_t', ['void *', 'void *', koffi.out(koffi.pointer(t.instance))]);
    const destroy = lib.func('vkDestroyInstance', 'void', [t.instance, 'void *']);
    const enumerate = lib.func('vkEnumeratePhysicalDevices', 'int32_t', [t.instance, koffi.inout(koffi.pointer('uint32_t')), koffi.out(koffi.pointer(t.device))]);
    const props = lib.func('vkGetPhysicalDeviceProperties', 'void', [t.device, koffi.out(koffi.pointer('uint8_t'))]);
    // VkInstanceCreateInfo: sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO (1), everything else zero/null.
    const info = Buffer.alloc(64);
    info.writeUInt32LE(1, 0);
    const inst: unknown[] = [null];
    const rc = create(info, null, inst) as number;
    if (rc !== 0 || !inst[0]) return { adapters: [], note: `Vulkan has no usable driver (vkCreateInstance returned ${rc}), so WebGPU has no adapter.` };
    try {
      const count = [0];
      enumerate(inst[0], count, null);
      const n = count[0] ?? 0;
      if (n === 0) return { adapters: [], note: 'Vulkan lists no physical device, so WebGPU has no adapter.' };
      const handles = new Array<unknown>(n).fill(null);
      enumerate(inst[0], count, handles);
      const adapters: GpuAdapterInfo[] = [];
      for (const h of handles.slice(0, count[0] ?? 0)) {
        // VkPhysicalDeviceProperties: apiVersion, driverVersion, vendorID, deviceID, deviceType (u32 each), then
        // deviceName[256]; the rest (limits) is not read. 1 KiB covers the whole struct (824 bytes on 64-bit).
        const b = Buffer.alloc(1024);
        props(h, b);
        const vendorId = b.readUInt32LE(8);
        const nameBytes = b.subarray(20, 276);
        const end = nameBytes.indexOf(0);
        adapters.push({
          name: nameBytes.subarray(0, end < 0 ? 256 : end).toString('utf8'),
          vendor: VENDORS[vendorId] ?? `vendor ${hex(vendorId)}`,
          vendorId: hex(vendorId),
          deviceId: hex(b.readUInt32LE(12)),
          type: TYPES[b.readUInt32LE(16)] ?? 'other',
          backend: 'vulkan',
          apiVersion: vkVersion(b.readUInt32LE(0)),
          driverVersion: b.readUInt32LE(4),
        });
      }
      return { adapters, note: `Vulkan devices: ${adapters.map(describeAdapter).join('; ')}.` };
    } finally {
      destroy(inst[0], null);
    }
  } catch (e) {
    return { adapters: [], note: `querying Vulkan failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}).` };
  } finally {
    // libvulkan stays loaded: its drivers register handlers that outlive an unload (a segfault at exit otherwise).
  }
}

/** Tests only: forget the cached probe. */
export function resetAdapterProbeForTests(): void {
  cached = null;
}
