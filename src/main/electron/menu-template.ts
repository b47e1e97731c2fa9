/**
 * The application menu as plain data (no electron import). menu.ts turns it into an Electron Menu, mapping each
 * `command` to an action; standard edit/window behaviour uses Electron roles. Developer items (reload, DevTools)
 * exist only when running from sources.
 */
export type MenuRole =
  | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'pasteAndMatchStyle' | 'delete' | 'selectAll'
  | 'reload' | 'forceReload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen'
  | 'minimize' | 'zoom' | 'close' | 'front' | 'window';

export type MenuCommand = 'attachSlide' | 'about' | 'openDataFolder' | 'showRuo';

export type MenuSpec =
  | { type: 'separator' }
  | { label?: string; role: MenuRole; accelerator?: string }
  | { label: string; command: MenuCommand; accelerator?: string }
  | { label: string; submenu: MenuSpec[]; role?: 'fileMenu' | 'editMenu' | 'viewMenu' | 'windowMenu' | 'help' | 'appMenu' };

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  devTools: boolean;
}

const sep: MenuSpec = { type: 'separator' };

export function buildMenuTemplate({ platform, appName, devTools }: MenuOptions): MenuSpec[] {
  const mac = platform === 'darwin';
  const menus: MenuSpec[] = [];
  if (mac) {
    menus.push({
      label: appName,
      role: 'appMenu',
      submenu: [{ label: `About ${appName}`, command: 'about' }, sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
    });
  }
  menus.push({
    label: 'File',
    role: 'fileMenu',
    submenu: [
      { label: 'Attach Slide File…', command: 'attachSlide', accelerator: 'CmdOrCtrl+O' },
      sep,
      { label: 'Open Data Folder', command: 'openDataFolder' },
      ...(mac ? [] : [sep, { role: 'quit' } as MenuSpec]),
    ],
  });
  menus.push({
    label: 'Edit',
    role: 'editMenu',
    submenu: [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  menus.push({
    label: 'View',
    role: 'viewMenu',
    submenu: [
      ...(devTools ? [{ role: 'reload' } as MenuSpec, { role: 'forceReload' } as MenuSpec, { role: 'toggleDevTools' } as MenuSpec, sep] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  });
  menus.push({
    label: 'Window',
    role: 'windowMenu',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, sep, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  });
  menus.push({
    label: 'Help',
    role: 'help',
    submenu: [{ label: 'Intended Use (Research Use Only)', command: 'showRuo' }, ...(mac ? [] : [sep, { label: `About ${appName}`, command: 'about' } as MenuSpec])],
  });
  return menus;
}

/** Every role and command in a template, depth first (for tests and for checking developer items are absent). */
export function flattenMenu(specs: readonly MenuSpec[]): MenuSpec[] {
  return specs.flatMap((s) => ('submenu' in s ? [s, ...flattenMenu(s.submenu)] : [s]));
}
