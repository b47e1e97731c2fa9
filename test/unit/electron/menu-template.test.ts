import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMenuTemplate, flattenMenu, type MenuSpec } from '../../../src/main/electron/menu-template.ts';

const roles = (m: MenuSpec[]) => flattenMenu(m).flatMap((s) => ('role' in s && s.role ? [s.role] : []));
const commands = (m: MenuSpec[]) => flattenMenu(m).flatMap((s) => ('command' in s ? [s.command] : []));

test('a production menu has no reload or DevTools; a development menu has them', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    const prod = roles(buildMenuTemplate({ platform, appName: 'Gliofuse', devTools: false }));
    for (const r of ['toggleDevTools', 'reload', 'forceReload']) assert.ok(!prod.includes(r as never), `${platform}: ${r}`);
    const dev = roles(buildMenuTemplate({ platform, appName: 'Gliofuse', devTools: true }));
    assert.ok(dev.includes('toggleDevTools'));
  }
});

test('every platform offers attach-slide (Ctrl/Cmd+O), about, the RUO statement, edit roles and quit', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    const m = buildMenuTemplate({ platform, appName: 'Gliofuse', devTools: false });
    assert.deepEqual(new Set(commands(m)), new Set(['attachSlide', 'openDataFolder', 'about', 'showRuo']));
    const attach = flattenMenu(m).find((s) => 'command' in s && s.command === 'attachSlide');
    assert.ok(attach && 'accelerator' in attach && attach.accelerator === 'CmdOrCtrl+O');
    for (const r of ['copy', 'paste', 'selectAll', 'quit']) assert.ok(roles(m).includes(r as never), `${platform}: ${r}`);
  }
  const mac = buildMenuTemplate({ platform: 'darwin', appName: 'Gliofuse', devTools: false });
  assert.equal((mac[0] as { label: string }).label, 'Gliofuse');
  const linux = buildMenuTemplate({ platform: 'linux', appName: 'Gliofuse', devTools: false });
  assert.equal((linux[0] as { label: string }).label, 'File');
});
