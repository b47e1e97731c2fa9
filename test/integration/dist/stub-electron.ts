/**
 * A stand-in for Electron's unpacked linux-x64 distribution, for packaging tests on a machine that cannot download
 * Electron. electron-builder copies an unpacked `electronDist` folder as the app skeleton and renames `electron`
 * to the executable name; it needs that executable, a resources/ folder, and (optionally) the licence files it
 * moves. The executable here is a real ELF (a copy of /bin/true) with Electron's fuse wire appended — the sentinel,
 * wire version 1, the wire length, and one byte per fuse in Electron's shipped default state — so @electron/fuses
 * can flip the fuses exactly as it does in a real Electron binary, and the test can read them back.
 */
import fs from 'node:fs';
import path from 'node:path';

export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's defaults, in @electron/fuses FuseV1Options order: RunAsNode on, cookie encryption off, NODE_OPTIONS
 * on, inspect arguments on, embedded asar integrity off, only-load-from-asar off, browser V8 snapshot off, file
 * protocol extra privileges on, WASM trap handlers on. '1' = 0x31 enabled, '0' = 0x30 disabled.
 */
export const ELECTRON_DEFAULT_WIRE = '101100011';

export function makeStubElectronDist(dir: string, version: string): { dir: string; executable: string } {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'locales'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'locales', 'en-US.pak'), 'stub locale');
  const elf = fs.readFileSync(fs.existsSync('/bin/true') ? '/bin/true' : '/usr/bin/true');
  const wire = Buffer.from(ELECTRON_DEFAULT_WIRE, 'ascii');
  const fuse = Buffer.concat([Buffer.from(FUSE_SENTINEL, 'ascii'), Buffer.from([1, wire.length]), wire]);
  const executable = path.join(dir, 'electron');
  fs.writeFileSync(executable, Buffer.concat([elf, fuse]));
  fs.chmodSync(executable, 0o755);
  fs.writeFileSync(path.join(dir, 'chrome-sandbox'), elf);
  fs.chmodSync(path.join(dir, 'chrome-sandbox'), 0o755);
  fs.writeFileSync(path.join(dir, 'version'), version);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'Stub standing in for the Electron distribution in packaging tests.\n');
  fs.writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>stub</title>\n');
  return { dir, executable };
}
