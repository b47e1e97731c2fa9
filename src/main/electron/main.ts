/**
 * Electron main process: one hardened window over the shared services.
 *
 * Order matters here. Before `ready`: privileged schemes, the sandbox for every renderer, the single-instance
 * lock, macOS open-file. After `ready`: the installation integrity check (build manifest vs shipped models), the
 * services, the session lockdown (offline, no permissions, no navigation), protocols, IPC, menu, and the window.
 *
 * Everything decidable without Electron lives in electron-free modules next to this file (security-policy,
 * app-protocol, wsi-url, shell-args, window-state, menu-template, ipc) and is unit-tested in plain Node.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, screen, session, shell, type WebContents } from 'electron';
import { createServices, type Services } from '../services.ts';
import { checkInstallation, describeProblems } from '../integrity/build-manifest.ts';
import type { AppEvent } from '../../shared/preload-api.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';
import { SHELL_EVENT, SLIDE_FILE_EXTENSIONS } from '../../shared/shell-events.ts';
import { toErrorShape } from '../../shared/errors.ts';
import {
  APP_ENTRY_URL, BLOCKED_URL_PATTERNS, HARDENED_WEB_PREFERENCES, devToolsAllowed, navigationAllowed, permissionAllowed,
} from './security-policy.ts';
import { handleProtocols, registerPrivilegedSchemes } from './protocols.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, createInvokeHandler, sessionIdFor } from './ipc.ts';
import { installApplicationMenu } from './menu.ts';
import { parseShellArgs } from './shell-args.ts';
import { MIN_HEIGHT, MIN_WIDTH, readWindowState, restoreBounds, writeWindowState } from './window-state.ts';
import { utilityProcessFactory } from './utility-transport.ts';
import { appKeyStores } from './audit-key-keychain.ts';

/** Services may offer a general event feed; without one, analysis progress comes from the job manager. */

const PRODUCT = 'Gliofuse';
const HERE = path.dirname(fileURLToPath(import.meta.url)); // <app>/dist/electron
/** The app folder (app.asar when packaged), found from this bundle so `electron .` and `electron dist/electron/main.js` agree. */
const APP_DIR = path.resolve(HERE, '..', '..');
const PRELOAD = path.join(HERE, 'preload.cjs');

// ---- before ready ---------------------------------------------------------------------------------------------
registerPrivilegedSchemes();
app.enableSandbox();

const launchArgs = parseShellArgs(process.argv, process.cwd());
const dataDirOverride = launchArgs.dataDir ?? (process.env.GLIOFUSE_DATA_DIR ? path.resolve(process.env.GLIOFUSE_DATA_DIR) : undefined);
// Same data folder as the CLI (src/main/paths.ts: <appData>/Gliofuse), whatever name Electron inferred; set before
// the lock because the lock lives in userData.
app.setPath('userData', dataDirOverride ?? path.join(app.getPath('appData'), PRODUCT));

const pendingSlides: string[] = [...launchArgs.slidePaths];
let mainWindow: BrowserWindow | null = null;
let services: Services | null = null;
let rendererReady = false;

if (!app.requestSingleInstanceLock()) {
  // Another Gliofuse owns this data folder; it receives our argv through 'second-instance' and we leave.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const p of parseShellArgs(argv, workingDirectory).slidePaths) queueSlide(p);
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
    }
  });
  // macOS delivers file-association opens as events (possibly before ready).
  app.on('open-file', (event, filePath) => {
    event.preventDefault();
    queueSlide(filePath);
  });
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!services) return;
    // Close the database cleanly (WAL checkpoint) before the process goes.
    event.preventDefault();
    const s = services;
    services = null;
    void s.close().finally(() => app.exit(0));
  });
  app.whenReady().then(start, (err: unknown) => fatal('Gliofuse could not start', err));
}

// ---- start-up ---------------------------------------------------------------------------------------------------
async function start(): Promise<void> {
  const integrity = await checkIntegrity();
  if (!integrity) return;

  const userData = app.getPath('userData');
  const dbPath = launchArgs.db ?? (process.env.GLIOFUSE_DB ? path.resolve(process.env.GLIOFUSE_DB) : path.join(userData, 'gliofuse.sqlite'));
  try {
    services = (await createServices({
      dbPath,
      dataDir: userData,
      // The audit key: the owner-only file shared with the CLI, plus the OS-keychain copy (docs/store-and-audit.md).
      auditKeyStores: appKeyStores(dbPath, safeStorage),
      ...(app.isPackaged ? { resourcesPath: process.resourcesPath } : {}),
      // Workers run as utility processes: child_process.fork needs RunAsNode, which the fuses turn off.
      workerFactory: (name: string) => utilityProcessFactory(path.join(HERE, `${name}.js`), name),
    }));
  } catch (err) {
    fatal('Gliofuse could not open its database', err, `Database: ${dbPath}`);
    return;
  }

  const ses = session.defaultSession;
  lockDownSession(ses);
  handleProtocols(ses, {
    rendererDir: path.join(APP_DIR, 'dist', 'renderer'),
    tile: services.slideTile.bind(services),
    tileSession: () => {
      if (!mainWindow || !services) return null;
      const sessionId = sessionIdFor(mainWindow.webContents.id);
      const s = services.sessions.check(sessionId);
      return { sessionId, signedIn: s.actor !== null, locked: s.locked };
    },
  });

  const router = services.router;
  ipcMain.handle(INVOKE_CHANNEL, createInvokeHandler({ router, windowWebContentsId: () => mainWindow?.webContents.id ?? null }));
  subscribeEvents(services);

  const devTools = devToolsAllowed(app.isPackaged, process.env);
  installApplicationMenu(
    { platform: process.platform, appName: PRODUCT, devTools },
    {
      attachSlide: () => void chooseSlideFile(),
      openDataFolder: () => void shell.openPath(userData),
      about: () => void showAbout(integrity),
      showRuo: () => void dialog.showMessageBox({ type: 'info', title: 'Intended use', message: RUO_STATEMENT }),
    },
  );
  createWindow(devTools);
}

async function checkIntegrity(): Promise<{ version: string; commit: string; buildDate: string } | null> {
  const manifestPath = path.join(APP_DIR, 'dist', 'build-manifest.json');
  const modelsRoot = app.isPackaged ? path.join(process.resourcesPath, 'models') : path.join(APP_DIR, 'models');
  try {
    const report = await checkInstallation({ manifestPath, modelsRoot });
    if (report.ok) return report.manifest;
    const detail = describeProblems(report);
    if (app.isPackaged) {
      // Fail closed: a clinic must not run models that differ from the ones this build was released with.
      fatal('Installation integrity check failed', null, `The installed model files do not match this build (${report.manifest.version}, ${report.manifest.commit.slice(0, 12)}):\n${detail}\n\nReinstall Gliofuse.`);
      return null;
    }
    console.warn(`[integrity] models differ from dist/build-manifest.json (run npm run build to refresh it):\n${detail}`);
    return report.manifest;
  } catch (err) {
    if (app.isPackaged) {
      fatal('Installation integrity check failed', err);
      return null;
    }
    console.warn(`[integrity] ${toErrorShape(err).message}`);
    return { version: 'development', commit: 'development', buildDate: new Date().toISOString() };
  }
}

// ---- session and contents lockdown ------------------------------------------------------------------------------
function lockDownSession(ses: Electron.Session): void {
  // Offline by design: no request leaves through the network stack, whatever the page tries.
  ses.webRequest.onBeforeRequest({ urls: [...BLOCKED_URL_PATTERNS] }, (_details, callback) => callback({ cancel: true }));
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  ses.on('will-download', (event) => event.preventDefault());
}

function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!navigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!navigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

// ---- window -----------------------------------------------------------------------------------------------------
function createWindow(devTools: boolean): void {
  const userData = app.getPath('userData');
  const state = readWindowState(userData);
  const bounds = restoreBounds(state, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: PRODUCT,
    backgroundColor: '#f7f7f5',
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: PRELOAD, devTools },
  });
  mainWindow = win;
  if (state.maximized) win.maximize();
  const wcId = win.webContents.id;

  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => {
    rendererReady = true;
    flushSlides();
  });
  win.webContents.on('did-start-loading', () => {
    rendererReady = false;
  });
  let crashes = 0;
  win.webContents.on('render-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    // A crashed renderer is reloaded (the session and the data live in the main process); a renderer that keeps
    // crashing is not reloaded forever.
    crashes++;
    console.error(`[window] renderer gone (${details.reason}), crash ${crashes}`);
    if (crashes <= 3) void win.loadURL(APP_ENTRY_URL);
    else dialog.showErrorBox('Gliofuse', 'The window crashed repeatedly and was not reloaded. Restart Gliofuse; your data is saved.');
  });
  win.on('close', () => {
    try {
      writeWindowState(userData, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (err) {
      console.warn('[window] could not save its state:', err);
    }
  });
  win.on('closed', () => {
    services?.sessions.drop(sessionIdFor(wcId));
    mainWindow = null;
  });
  void win.loadURL(APP_ENTRY_URL);
}

// ---- events to the renderer ---------------------------------------------------------------------------------------
function subscribeEvents(s: Services): void {
  s.onEvent((event) => sendEvent(event));
}

function sendEvent(event: AppEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event);
}

function queueSlide(filePath: string): void {
  if (!pendingSlides.includes(filePath)) pendingSlides.push(filePath);
  flushSlides();
}

/** Delivers queued "open this slide" requests once the renderer has loaded (it starts "attach slide" for each). */
function flushSlides(): void {
  if (!rendererReady || !mainWindow) return;
  for (const p of pendingSlides.splice(0)) sendEvent({ topic: SHELL_EVENT.openSlideFile, at: new Date().toISOString(), data: { path: p } });
}

async function chooseSlideFile(): Promise<void> {
  if (!mainWindow) return;
  const res = await dialog.showOpenDialog(mainWindow, {
    title: 'Attach slide file',
    properties: ['openFile'],
    filters: [{ name: 'Whole-slide images', extensions: [...SLIDE_FILE_EXTENSIONS] }],
  });
  if (!res.canceled) for (const p of res.filePaths) queueSlide(p);
}

async function showAbout(build: { version: string; commit: string; buildDate: string }): Promise<void> {
  await dialog.showMessageBox({
    type: 'info',
    title: `About ${PRODUCT}`,
    message: `${PRODUCT} ${services?.config.appVersion ?? app.getVersion()}`,
    detail: [
      RUO_STATEMENT,
      '',
      `Build: ${build.commit.slice(0, 12)} (${build.buildDate})`,
      `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
      `Data folder: ${app.getPath('userData')}`,
    ].join('\n'),
  });
}

function fatal(title: string, err: unknown, detail?: string): void {
  const message = err ? toErrorShape(err).message : '';
  if (err) console.error(`[main] ${title}:`, err);
  dialog.showErrorBox(title, [message, detail].filter(Boolean).join('\n\n'));
  app.exit(1);
}
