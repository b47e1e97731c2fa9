/** Builds the Electron application menu from the plain template in menu-template.ts. */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, type MenuCommand, type MenuOptions, type MenuSpec } from './menu-template.ts';

export type MenuActions = Record<MenuCommand, () => void>;

function toElectron(spec: MenuSpec, actions: MenuActions): MenuItemConstructorOptions {
  if ('type' in spec) return { type: 'separator' };
  if ('submenu' in spec) {
    return { label: spec.label, ...(spec.role ? { role: spec.role } : {}), submenu: spec.submenu.map((s) => toElectron(s, actions)) };
  }
  if ('command' in spec) {
    const run = actions[spec.command];
    return { label: spec.label, ...(spec.accelerator ? { accelerator: spec.accelerator } : {}), click: () => run() };
  }
  return { role: spec.role, ...(spec.label ? { label: spec.label } : {}), ...(spec.accelerator ? { accelerator: spec.accelerator } : {}) };
}

export function installApplicationMenu(opts: MenuOptions, actions: MenuActions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(opts).map((s) => toElectron(s, actions))));
}
