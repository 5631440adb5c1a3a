// SPDX-License-Identifier: MIT
// Native-messaging manifests: exact JSON and paths per browser × platform, id validation, dry run and real install.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_DESCRIPTION, ManifestError, buildManifest, checkExtensionId, installManifest, manifestPaths } from '../../../native-host/manifest.js';

const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';
const FIREFOX_ID = 'anyml@anyml.org';
const HOST = '/opt/anyml/bin/anyml-host.sh';
const file = 'org.anyml.host.json';

describe('manifestPaths', () => {
  const home = '/home/ada';
  it.each([
    ['chrome', 'linux', false, [`/home/ada/.config/google-chrome/NativeMessagingHosts/${file}`]],
    ['chrome', 'linux', true, [`/etc/opt/chrome/native-messaging-hosts/${file}`]],
    ['chrome', 'darwin', false, [`/home/ada/Library/Application Support/Google/Chrome/NativeMessagingHosts/${file}`]],
    ['chrome', 'darwin', true, [`/Library/Google/Chrome/NativeMessagingHosts/${file}`]],
    ['chromium', 'linux', false, [`/home/ada/.config/chromium/NativeMessagingHosts/${file}`]],
    ['chromium', 'linux', true, [`/etc/chromium/native-messaging-hosts/${file}`]],
    ['chromium', 'darwin', false, [`/home/ada/Library/Application Support/Chromium/NativeMessagingHosts/${file}`]],
    ['chromium', 'darwin', true, [`/Library/Application Support/Chromium/NativeMessagingHosts/${file}`]],
    ['firefox', 'linux', false, [`/home/ada/.mozilla/native-messaging-hosts/${file}`]],
    ['firefox', 'linux', true, [`/usr/lib/mozilla/native-messaging-hosts/${file}`, `/usr/lib64/mozilla/native-messaging-hosts/${file}`]],
    ['firefox', 'darwin', false, [`/home/ada/Library/Application Support/Mozilla/NativeMessagingHosts/${file}`]],
    ['firefox', 'darwin', true, [`/Library/Application Support/Mozilla/NativeMessagingHosts/${file}`]],
  ] as const)('%s on %s (system %s)', (browser, platform, system, expected) => {
    expect(manifestPaths(browser, platform, home, system)).toEqual(expected);
  });
  it('refuses Windows, other platforms, unknown browsers and a relative home', () => {
    expect(() => manifestPaths('chrome', 'win32', 'C:\\Users\\ada')).toThrow(/registry.*does not write yet/);
    expect(() => manifestPaths('chrome', 'aix', home)).toThrow(/unsupported platform "aix"/);
    expect(() => manifestPaths('edge' as never, 'linux', home)).toThrow(/unknown browser "edge"; expected one of chrome, chromium, firefox/);
    expect(() => manifestPaths('chrome', 'linux', 'ada')).toThrow(/not an absolute path/);
  });
});

describe('buildManifest', () => {
  it('builds the exact Chrome and Chromium manifest', () => {
    for (const browser of ['chrome', 'chromium'] as const) {
      expect(buildManifest(browser, { hostPath: HOST, extensionId: CHROME_ID })).toStrictEqual({
        name: 'org.anyml.host',
        description: HOST_DESCRIPTION,
        path: HOST,
        type: 'stdio',
        allowed_origins: [`chrome-extension://${CHROME_ID}/`],
      });
    }
  });
  it('builds the exact Firefox manifest, with allowed_extensions and no allowed_origins', () => {
    const m = buildManifest('firefox', { hostPath: HOST, extensionId: FIREFOX_ID, description: 'd' });
    expect(m).toStrictEqual({ name: 'org.anyml.host', description: 'd', path: HOST, type: 'stdio', allowed_extensions: [FIREFOX_ID] });
    expect('allowed_origins' in m).toBe(false);
    const guid = '{0f4b2a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b}';
    expect(buildManifest('firefox', { hostPath: HOST, extensionId: guid })).toMatchObject({ allowed_extensions: [guid] });
  });
  it.each([
    ['chrome', 'abc', /expected 32 letters a–p/],
    ['chrome', CHROME_ID.slice(0, 31) + 'q', /expected 32 letters a–p/],
    ['chrome', CHROME_ID.toUpperCase(), /expected 32 letters a–p/],
    ['chrome', CHROME_ID + 'a', /expected 32 letters a–p/],
    ['chromium', `chrome-extension://${CHROME_ID}/`, /give the bare id/],
    ['chrome', FIREFOX_ID, /not valid/],
    ['firefox', CHROME_ID, /expected name@domain/],
    ['firefox', 'anyml@', /expected name@domain/],
    ['firefox', '@anyml.org', /expected name@domain/],
    ['firefox', 'a b@anyml.org', /expected name@domain/],
    ['firefox', '{0f4b2a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5}', /GUID in braces/],
    ['firefox', '0f4b2a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', /GUID in braces/],
    ['firefox', 'x'.repeat(80) + '@anyml.org', /at most 80/],
  ] as const)('refuses %s id %j', (browser, id, msg) => {
    expect(() => checkExtensionId(browser, id)).toThrow(msg);
    expect(() => buildManifest(browser, { hostPath: HOST, extensionId: id })).toThrow(ManifestError);
  });
  it('refuses a relative host path', () => {
    for (const hostPath of ['anyml-host.sh', './bin/host', '', '/opt/a\nb']) {
      expect(() => buildManifest('chrome', { hostPath, extensionId: CHROME_ID })).toThrow(/must be an absolute path/);
    }
  });
});

describe('installManifest', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'anyml-home-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('dry run returns paths and JSON and writes nothing', async () => {
    const out = await installManifest({ browser: 'chrome', platform: 'linux', home, hostPath: HOST, extensionId: CHROME_ID, dryRun: true });
    expect(out).toEqual([
      { path: join(home, '.config/google-chrome/NativeMessagingHosts', file), json: expect.any(String) },
    ]);
    expect(JSON.parse(out[0].json)).toStrictEqual(buildManifest('chrome', { hostPath: HOST, extensionId: CHROME_ID }));
    expect(await readdir(home)).toEqual([]);
    // a system dry run needs no root either
    const sys = await installManifest({ browser: 'firefox', platform: 'linux', system: true, hostPath: HOST, extensionId: FIREFOX_ID, dryRun: true });
    expect(sys.map((s) => s.path)).toHaveLength(2);
  });

  it.each([
    ['chrome', 'linux', CHROME_ID],
    ['chromium', 'darwin', CHROME_ID],
    ['firefox', 'linux', FIREFOX_ID],
    ['firefox', 'darwin', FIREFOX_ID],
  ] as const)('writes valid JSON for %s on %s, mode 0644, no temp files', async (browser, platform, extensionId) => {
    const out = await installManifest({ browser, platform, home, hostPath: HOST, extensionId });
    expect(out.map((o) => o.path)).toEqual(manifestPaths(browser, platform, home));
    for (const { path, json } of out) {
      const text = await readFile(path, 'utf8');
      expect(text).toBe(json);
      expect(text.endsWith('}\n')).toBe(true);
      expect(JSON.parse(text)).toStrictEqual(buildManifest(browser, { hostPath: HOST, extensionId }));
      if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o644);
      expect(await readdir(join(path, '..'))).toEqual([file]);
    }
    // installing again replaces the file in place
    await installManifest({ browser, platform, home, hostPath: '/other/host', extensionId });
    expect(JSON.parse(await readFile(out[0].path, 'utf8')).path).toBe('/other/host');
  });

  it('validates before touching the disk', async () => {
    await expect(installManifest({ browser: 'chrome', platform: 'linux', home, hostPath: HOST, extensionId: 'bad' })).rejects.toThrow(ManifestError);
    expect(await readdir(home)).toEqual([]);
  });
});
