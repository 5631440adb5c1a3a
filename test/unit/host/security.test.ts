// SPDX-License-Identifier: MIT
// The host's security checks: every refusal, the token file's modes and reuse, constant-time compare, redaction.
import { chmod, mkdtemp, readFile, rm, stat, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_LIMITS,
  HostSecurityError,
  RefusalLog,
  checkAllowList,
  checkBind,
  checkHostHeader,
  checkImageSize,
  checkOrigin,
  createHelloTimer,
  redact,
} from '../../../native-host/security.js';
import { ensureToken, tokenPath, tokensEqual } from '../../../native-host/token.js';

const PORT = 47113;
// File modes do not protect the token on Windows (the host refuses to make one there): those tests need POSIX.
if (process.platform === 'win32') console.warn('skipping the token-file mode tests: POSIX file modes are not available on Windows');
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('checkBind', () => {
  it('accepts loopback without a warning', () => {
    for (const h of ['127.0.0.1', '::1', 'localhost', 'LOCALHOST']) expect(checkBind(h, false)).toBeUndefined();
  });
  it('refuses any other address unless allowRemote', () => {
    for (const h of ['0.0.0.0', '::', '192.168.1.2', '127.0.0.2', 'example.com', '[::1]', '']) {
      expect(() => checkBind(h, false)).toThrow(HostSecurityError);
    }
    expect(() => checkBind('0.0.0.0', false)).toThrow(/refusing to listen on "0\.0\.0\.0".*--allow-remote/);
    try {
      checkBind('0.0.0.0', false);
    } catch (e) {
      expect((e as HostSecurityError).code).toBe('FORBIDDEN_BIND');
    }
  });
  it('returns a warning for a remote address with allowRemote', () => {
    expect(checkBind('0.0.0.0', true)).toMatch(/0\.0\.0\.0, reachable beyond this machine/);
    expect(() => checkBind('', true)).toThrow(/empty bind address/);
  });
});

describe('checkHostHeader', () => {
  it('accepts the three loopback forms with our port', () => {
    for (const h of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LocalHost:${PORT}`]) {
      expect(checkHostHeader(h, PORT)).toEqual({ ok: true });
    }
  });
  it.each([
    [undefined, /missing or empty/],
    ['', /missing or empty/],
    ['   ', /missing or empty/],
    ['evil.example:47113', /not one of/],
    ['127.0.0.1', /not one of/],
    ['localhost', /not one of/],
    ['127.0.0.1:8080', /not one of/],
    ['127.0.0.1:047113', /not one of/],
    ['localhost.:47113', /not one of/],
    ['::1:47113', /not one of/],
    ['[::1]', /not one of/],
    ['[0:0:0:0:0:0:0:1]:47113', /not one of/],
    ['[::ffff:127.0.0.1]:47113', /not one of/],
    ['127.0.0.1:47113.evil.example', /not one of/],
    ['127.1:47113', /not one of/],
  ])('refuses Host %j', (host, reason) => {
    const r = checkHostHeader(host, PORT);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('FORBIDDEN_HOST');
      expect(r.reason).toMatch(reason);
    }
  });
  it('keeps control characters out of the reason', () => {
    const r = checkHostHeader('evil\r\nX-Injected: 1', PORT);
    expect(!r.ok && r.reason).not.toMatch(/[\r\n]/);
  });
});

describe('checkOrigin', () => {
  const allow = ['http://127.0.0.1:8080', 'http://localhost:5173', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'];
  it('accepts exact matches', () => {
    for (const o of allow) expect(checkOrigin(o, allow)).toEqual({ ok: true });
  });
  it.each([
    'http://127.0.0.1:8080.evil.com',
    'http://127.0.0.1:80800',
    'http://127.0.0.1:808',
    'http://127.0.0.1:8080/',
    'https://127.0.0.1:8080',
    'http://127.0.0.1',
    'http://localhost:5173.evil.com',
    'http://evil.localhost:5173',
    'HTTP://LOCALHOST:5173',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnoq',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop/',
    'null',
    'https://evil.example',
  ])('refuses Origin %s', (origin) => {
    const r = checkOrigin(origin, allow);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('FORBIDDEN_ORIGIN');
  });
  it('refuses "null" even when it is listed', () => {
    expect(checkOrigin('null', ['null']).ok).toBe(false);
  });
  it('refuses a missing Origin unless allowMissing', () => {
    expect(checkOrigin(undefined, allow)).toMatchObject({ ok: false, reason: /missing Origin/ });
    expect(checkOrigin('', allow).ok).toBe(false);
    expect(checkOrigin(undefined, allow, { allowMissing: true })).toEqual({ ok: true });
    // allowMissing does not admit a wrong one
    expect(checkOrigin('https://evil.example', allow, { allowMissing: true }).ok).toBe(false);
  });
  it('validates the allow-list itself', () => {
    expect(() => checkAllowList([...allow, 'https://app.example.org', 'http://[::1]:3000'])).not.toThrow();
    expect(() => checkAllowList(['moz-extension://0f4b2a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'])).not.toThrow();
    for (const bad of ['*', 'http://localhost:5173/', 'https://*.example.com', 'null', 'localhost:5173', 'HTTP://X', 'http://a/b']) {
      expect(() => checkAllowList([bad]), bad).toThrow(/not a serialised origin/);
    }
  });
});

describe('tokenPath', () => {
  it('uses $XDG_CONFIG_HOME on Linux when absolute', () => {
    expect(tokenPath({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/ada')).toBe('/x/cfg/anyml/host-token');
  });
  it('falls back to ~/.config when XDG_CONFIG_HOME is unset, empty or relative', () => {
    for (const env of [{}, { XDG_CONFIG_HOME: '' }, { XDG_CONFIG_HOME: 'rel/cfg' }]) {
      expect(tokenPath(env, 'linux', '/home/ada')).toBe('/home/ada/.config/anyml/host-token');
    }
    expect(tokenPath({}, 'freebsd', '/home/ada')).toBe('/home/ada/.config/anyml/host-token');
  });
  it('uses Application Support on macOS, ignoring XDG', () => {
    expect(tokenPath({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/anyml/host-token');
  });
  it('refuses Windows', () => {
    expect(() => tokenPath({}, 'win32', 'C:\\Users\\ada')).toThrow(/not supported on Windows/);
  });
});

describe('ensureToken', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anyml-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  posixOnly('creates a 64-hex token, mode 0600, in a new 0700 folder', async () => {
    const path = join(dir, 'cfg', 'anyml', 'host-token');
    const r = await ensureToken(path);
    expect(r).toMatchObject({ path, created: true });
    expect(r.token).toMatch(/^[0-9a-f]{64}$/);
    expect(await readFile(path, 'utf8')).toBe(r.token);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'cfg', 'anyml'))).mode & 0o777).toBe(0o700);
    // no temp file left behind
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'cfg', 'anyml'))).toEqual(['host-token']);
  });

  posixOnly('reuses an existing token, and two hosts starting together agree', async () => {
    const path = join(dir, 'anyml', 'host-token');
    const first = await ensureToken(path);
    const again = await ensureToken(path);
    expect(again).toEqual({ token: first.token, path, created: false });
    const path2 = join(dir, 'race', 'host-token');
    const both = await Promise.all([ensureToken(path2), ensureToken(path2), ensureToken(path2)]);
    expect(new Set(both.map((b) => b.token)).size).toBe(1);
    expect(await readFile(path2, 'utf8')).toBe(both[0].token);
  });

  posixOnly('accepts a token with a trailing newline (edited by hand)', async () => {
    const path = join(dir, 'host-token');
    await chmod(dir, 0o700);
    await writeFile(path, 'a'.repeat(64) + '\n', { mode: 0o600 });
    expect((await ensureToken(path)).token).toBe('a'.repeat(64));
  });

  posixOnly('refuses a token file readable by others, saying how to fix it', async () => {
    const path = join(dir, 'host-token');
    await chmod(dir, 0o700);
    await writeFile(path, 'a'.repeat(64), { mode: 0o644 });
    await chmod(path, 0o644);
    await expect(ensureToken(path)).rejects.toThrow(/mode 0644.*chmod 600/);
    await chmod(path, 0o640);
    await expect(ensureToken(path)).rejects.toMatchObject({ code: 'UNSAFE_TOKEN_FILE' });
  });

  posixOnly.each([['short', 'abc'], ['wrong length', 'a'.repeat(63)], ['not hex', 'z'.repeat(64)], ['upper case', 'A'.repeat(64)], ['empty', '']])(
    'refuses a malformed token (%s)',
    async (_, text) => {
      const path = join(dir, 'host-token');
      await chmod(dir, 0o700);
      await writeFile(path, text, { mode: 0o600 });
      await expect(ensureToken(path)).rejects.toThrow(/not a token \(expected 64 hex digits\).*rm /);
    },
  );

  posixOnly('refuses a folder others can write to, and a symlink', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared, { mode: 0o777 });
    await chmod(shared, 0o777);
    await expect(ensureToken(join(shared, 'host-token'))).rejects.toThrow(/writable by group or others.*chmod 700/);
    await chmod(dir, 0o700);
    await writeFile(join(dir, 'real'), 'a'.repeat(64), { mode: 0o600 });
    await symlink(join(dir, 'real'), join(dir, 'host-token'));
    await expect(ensureToken(join(dir, 'host-token'))).rejects.toThrow(/not a regular file/);
  });
});

describe('tokensEqual', () => {
  const t = 'a'.repeat(64);
  it('is true only for the same string', () => {
    expect(tokensEqual(t, t)).toBe(true);
    expect(tokensEqual(t, 'a'.repeat(63) + 'b')).toBe(false);
    expect(tokensEqual(t, t.toUpperCase())).toBe(false);
  });
  it('handles unequal lengths and non-strings without throwing', () => {
    expect(tokensEqual(t, 'a')).toBe(false);
    expect(tokensEqual(t, '')).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
    expect(tokensEqual(t, t + 'a')).toBe(false);
    expect(tokensEqual(undefined, t)).toBe(false);
    expect(tokensEqual(t, 42)).toBe(false);
    expect(tokensEqual(null, null)).toBe(false);
  });
});

describe('createHelloTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  it('fires after the deadline and then refuses a late hello', () => {
    const onTimeout = vi.fn();
    const h = createHelloTimer(2000, onTimeout);
    vi.advanceTimersByTime(1999);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(h.expired).toBe(true);
    expect(h.done()).toBe(false);
  });
  it('stops when the hello is in time, or on cancel', () => {
    const onTimeout = vi.fn();
    const h = createHelloTimer(undefined, onTimeout);
    vi.advanceTimersByTime(1500);
    expect(h.done()).toBe(true);
    const c = createHelloTimer(100, onTimeout);
    c.cancel();
    vi.advanceTimersByTime(5000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(h.expired).toBe(false);
  });
});

describe('redact and RefusalLog', () => {
  const token = '0123456789abcdef'.repeat(4);
  it('removes the token in any case, and only the token', () => {
    const sha = 'f'.repeat(64);
    expect(redact(`hello ${token} and ${token.toUpperCase()}; model ${sha}`, token)).toBe(`hello [token] and [token]; model ${sha}`);
    expect(redact('nothing here', token)).toBe('nothing here');
    expect(redact('x', '')).toBe('x');
  });
  it('logs one line per refusal, never the token, and keeps a bounded list', () => {
    const lines: string[] = [];
    const t0 = new Date('2025-01-02T03:04:05.000Z');
    const log = new RefusalLog((l) => lines.push(l), token, 3, () => t0);
    const e = log.record('127.0.0.1:5555', `bad token ${token}`);
    expect(e).toEqual({ time: t0, remote: '127.0.0.1:5555', reason: 'bad token [token]' });
    expect(lines).toEqual(['2025-01-02T03:04:05.000Z anyml host: refused 127.0.0.1:5555: bad token [token]']);
    log.record('r\n2', 'Host "x"\r\nforged line');
    expect(lines[1]).not.toMatch(/[\r\n]/);
    for (let i = 0; i < 5; i++) log.record('r', `n${i}`);
    expect(log.entries().map((x) => x.reason)).toEqual(['n2', 'n3', 'n4']);
    expect(lines.join('\n')).not.toContain(token);
  });
});

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ maxMessageBytes: 16 * 1024 * 1024, maxImagePixels: 8192 * 8192, queueDepth: 4, helloMs: 2000 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });
  it('checkImageSize accepts up to the limit and refuses beyond it or bad dimensions', () => {
    expect(() => checkImageSize(8192, 8192, 1, DEFAULT_LIMITS)).not.toThrow();
    expect(() => checkImageSize(1024, 1024, 64)).not.toThrow();
    expect(() => checkImageSize(8192, 8192, 2)).toThrow(/8192×8192×2 = 134217728 pixels exceeds the host's limit of 67108864/);
    expect(() => checkImageSize(8193, 8192, 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => checkImageSize(10, 10, 2, { maxImagePixels: 100 })).toThrow(/exceeds/);
    for (const [w, h, d] of [[0, 1, 1], [1, -1, 1], [1, 1, 1.5], [Number.NaN, 1, 1], [1, Infinity, 1], [2 ** 60, 1, 1]]) {
      expect(() => checkImageSize(w, h, d), `${w}×${h}×${d}`).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    }
    expect(() => checkImageSize(0, 1, 1)).toThrow(/image width: got 0, expected a positive integer/);
  });
});
