// SPDX-License-Identifier: MIT
// Native-messaging manifests of `anyml host` for Chrome, Chromium and Firefox on Linux and macOS: their JSON, where
// each browser looks for them, and an installer. Sources: Chrome "Native messaging"
// (https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging) and MDN "Native manifests"
// (https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/Native_manifests).
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { tempPath } from './token.js';

/** The host's name: what an extension passes to `runtime.connectNative()`; also the manifest's file stem. */
export const HOST_NAME = 'org.anyml.host';
export const HOST_DESCRIPTION = 'anyml host: local inference for anyml pages and extensions';

export const BROWSERS = ['chrome', 'chromium', 'firefox'] as const;
export type Browser = (typeof BROWSERS)[number];
export const PLATFORMS = ['linux', 'darwin'] as const;
export type ManifestPlatform = (typeof PLATFORMS)[number];

/** Chrome and Chromium's manifest. `allowed_origins` entries are `chrome-extension://<id>/`, no wildcards. */
export interface ChromeManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins: string[];
}

/** Firefox's manifest: it names add-on ids in `allowed_extensions` and rejects `allowed_origins`. */
export interface FirefoxManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_extensions: string[];
}

export type NativeManifest = ChromeManifest | FirefoxManifest;

/** A bad browser, platform, extension id or host path. */
export class ManifestError extends Error {
  readonly code = 'INVALID_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

// Folders per browser × platform, user-level and system-level (the Chrome and MDN pages above, "Native messaging
// host location" / "Manifest location"). `~` is the user's home. Firefox on Linux reads both /usr/lib and /usr/lib64.
const DIRS: Record<Browser, Record<ManifestPlatform, { user: string[]; system: string[] }>> = {
  chrome: {
    linux: { user: ['~/.config/google-chrome/NativeMessagingHosts'], system: ['/etc/opt/chrome/native-messaging-hosts'] },
    darwin: {
      user: ['~/Library/Application Support/Google/Chrome/NativeMessagingHosts'],
      system: ['/Library/Google/Chrome/NativeMessagingHosts'],
    },
  },
  chromium: {
    linux: { user: ['~/.config/chromium/NativeMessagingHosts'], system: ['/etc/chromium/native-messaging-hosts'] },
    darwin: {
      user: ['~/Library/Application Support/Chromium/NativeMessagingHosts'],
      system: ['/Library/Application Support/Chromium/NativeMessagingHosts'],
    },
  },
  firefox: {
    linux: {
      user: ['~/.mozilla/native-messaging-hosts'],
      system: ['/usr/lib/mozilla/native-messaging-hosts', '/usr/lib64/mozilla/native-messaging-hosts'],
    },
    darwin: {
      user: ['~/Library/Application Support/Mozilla/NativeMessagingHosts'],
      system: ['/Library/Application Support/Mozilla/NativeMessagingHosts'],
    },
  },
};

function checkBrowser(browser: string): asserts browser is Browser {
  if (!(BROWSERS as readonly string[]).includes(browser)) {
    throw new ManifestError(`native messaging: unknown browser ${JSON.stringify(browser)}; expected one of ${BROWSERS.join(', ')}`);
  }
}

function checkPlatform(platform: string): asserts platform is ManifestPlatform {
  if (platform === 'win32') {
    throw new ManifestError(
      'native messaging: Windows registers hosts in the registry (HKCU\\Software\\<vendor>\\NativeMessagingHosts\\' +
        `${HOST_NAME}), which anyml does not write yet; supported: ${PLATFORMS.join(', ')}`,
    );
  }
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    throw new ManifestError(`native messaging: unsupported platform ${JSON.stringify(platform)}; supported: ${PLATFORMS.join(', ')}`);
  }
}

/**
 * The manifest file(s) a browser reads for `org.anyml.host` (`<dir>/org.anyml.host.json`): user-level by default
 * (no root needed, only this user's browser), system-level for every user when `system` is set.
 *
 * @example
 * manifestPaths('chrome', 'linux', '/home/ada') // ['/home/ada/.config/google-chrome/NativeMessagingHosts/org.anyml.host.json']
 */
export function manifestPaths(browser: Browser, platform: string, home: string, system = false): string[] {
  checkBrowser(browser);
  checkPlatform(platform);
  if (!system && !posix.isAbsolute(home)) {
    throw new ManifestError(`native messaging: home folder ${JSON.stringify(home)} is not an absolute path`);
  }
  const dirs = DIRS[browser][platform][system ? 'system' : 'user'];
  return dirs.map((d) => posix.join(d.startsWith('~/') ? posix.join(home, d.slice(2)) : d, `${HOST_NAME}.json`));
}

// Chrome extension ids are 32 letters a–p: the first 128 bits of a SHA-256 of the extension's public key, one
// letter per hex digit (0 → a … f → p).
const CHROME_ID_RE = /^[a-p]{32}$/;
// Firefox add-on ids: an email-like `name@domain` or a GUID in braces (MDN, browser_specific_settings, `id`);
// addons.mozilla.org also caps them at 80 characters.
const FIREFOX_ID_RE =
  /^(?:[a-zA-Z0-9._+-]+@[a-zA-Z0-9._-]+|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$/;

/** Throws a ManifestError that says what a valid id looks like for `browser`. */
export function checkExtensionId(browser: Browser, id: string): void {
  checkBrowser(browser);
  if (browser === 'firefox') {
    if (id.length <= 80 && FIREFOX_ID_RE.test(id)) return;
    throw new ManifestError(
      `native messaging: Firefox add-on id ${JSON.stringify(id)} is not valid; expected name@domain (e.g. anyml@anyml.org) ` +
        'or a GUID in braces ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}), at most 80 characters',
    );
  }
  if (CHROME_ID_RE.test(id)) return;
  const hint = id.startsWith('chrome-extension://') ? ' (give the bare id, without chrome-extension:// and /)' : '';
  throw new ManifestError(
    `native messaging: ${browser} extension id ${JSON.stringify(id)} is not valid; expected 32 letters a–p, ` +
      `as chrome://extensions shows it${hint}`,
  );
}

/** What a manifest needs from the caller. */
export interface ManifestInput {
  /** Absolute path of the executable the browser starts (a launcher script); the caller makes it. */
  hostPath: string;
  /** Chrome/Chromium: the 32-letter id; Firefox: the add-on id. */
  extensionId: string;
  description?: string;
}

/**
 * The manifest for `browser`. The path must be absolute (Chrome and Firefox both require it on Linux and macOS).
 *
 * @example
 * buildManifest('chrome', { hostPath: '/opt/anyml/host.sh', extensionId: 'abcdefghijklmnopabcdefghijklmnop' })
 */
export function buildManifest(browser: Browser, input: ManifestInput): NativeManifest {
  checkBrowser(browser);
  const { hostPath, extensionId, description = HOST_DESCRIPTION } = input;
  if (!posix.isAbsolute(hostPath) || /[\u0000-\u001f]/.test(hostPath)) {
    throw new ManifestError(`native messaging: host path ${JSON.stringify(hostPath)} must be an absolute path`);
  }
  checkExtensionId(browser, extensionId);
  const base = { name: HOST_NAME, description, path: hostPath, type: 'stdio' as const };
  if (browser === 'firefox') return { ...base, allowed_extensions: [extensionId] };
  return { ...base, allowed_origins: [`chrome-extension://${extensionId}/`] };
}

/** Options of `installManifest`. */
export interface InstallOptions extends ManifestInput {
  browser: Browser;
  platform?: string;
  home?: string;
  /** System-level folders (needs root). Default: user-level. */
  system?: boolean;
  /** Compute paths and JSON, write nothing. */
  dryRun?: boolean;
}

/** One manifest file, written or (dry run) to be written. */
export interface InstalledManifest {
  path: string;
  json: string;
}

/**
 * Writes the manifest for one browser into each folder it reads (creating the folders), each file through a temp
 * file and rename so a browser never reads half a manifest. Mode 0644: the browser runs as the user, and a
 * system-level manifest must be readable by every user whatever the installer's umask.
 *
 * @example
 * await installManifest({ browser: 'firefox', hostPath, extensionId: 'anyml@anyml.org', dryRun: true })
 */
export async function installManifest(opts: InstallOptions): Promise<InstalledManifest[]> {
  const { browser, platform = process.platform, home = homedir(), system = false, dryRun = false } = opts;
  const json = JSON.stringify(buildManifest(browser, opts), null, 2) + '\n';
  const out = manifestPaths(browser, platform, home, system).map((path) => ({ path, json }));
  if (dryRun) return out;
  for (const { path } of out) {
    await mkdir(posix.dirname(path), { recursive: true, mode: 0o755 });
    const tmp = tempPath(path);
    try {
      await writeFile(tmp, json, { mode: 0o644, flag: 'wx', flush: true });
      await chmod(tmp, 0o644);
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }
  return out;
}
