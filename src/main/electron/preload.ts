/**
 * Sandboxed preload (bundled to dist/electron/preload.cjs as one CommonJS file; a sandboxed preload may require
 * only 'electron' and a few built-ins). Exposes exactly the typed `GliofusePreloadApi` as `window.gliofuse`:
 * three functions, no ipcRenderer, no Node objects, nothing the page could use to send arbitrary IPC.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { PRELOAD_GLOBAL, type AppEvent, type GliofusePreloadApi } from '../../shared/preload-api.ts';
import type { Channel, Envelope, RequestOf, ResponseOf } from '../../shared/contract/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type InvokeMessage } from './ipc.ts';
import { tileUrl } from './wsi-url.ts';

function isAppEvent(v: unknown): v is AppEvent {
  return !!v && typeof v === 'object' && typeof (v as AppEvent).topic === 'string' && typeof (v as AppEvent).at === 'string';
}

const api: GliofusePreloadApi = {
  async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Envelope<ResponseOf<C>>> {
    const message: InvokeMessage = { channel: String(channel), payload };
    try {
      return (await ipcRenderer.invoke(INVOKE_CHANNEL, message)) as Envelope<ResponseOf<C>>;
    } catch {
      // Only a broken IPC pipe (main process restarting, payload that cannot be cloned) lands here.
      return { ok: false, error: { code: 'INTERNAL', message: 'The application did not answer; try again or restart Gliofuse.' } };
    }
  },
  tileUrl(slideId, level, col, row) {
    return tileUrl(slideId, level, col, row);
  },
  onEvent(cb) {
    const listener = (_e: IpcRendererEvent, event: unknown) => {
      if (isAppEvent(event)) cb(event);
    };
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, listener);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, api);
