// SPDX-License-Identifier: MIT
// Accelerator discovery for `anyml host`: Coral Edge TPU (USB, PCIe/M.2), Jetson, NVIDIA GPUs and the CPU, read from
// sysfs, procfs, devfs and the library/PATH directories through an FsReader whose root is configurable, so that tests
// run against fake trees. Nothing here loads a vendor library: opening libedgetpu without a device or with the wrong
// TFLite build can crash the process, so the host only looks at files and leaves loading to a supervised worker.
import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { posix } from 'node:path';

/** The read-only view of a file system that discovery needs; every path is absolute as the host would see it. */
export interface FsReader {
  /** The file's text, or null when it cannot be read (absent, no permission, a directory). */
  readText(path: string): Promise<string | null>;
  /** The names in a directory, sorted; [] when it cannot be listed. */
  list(dir: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** The path of the executable `cmd` on PATH (or `cmd` itself when it contains a slash), or null. */
  which(cmd: string): Promise<string | null>;
}

/**
 * An FsReader over the real file system, with every path resolved under `root`: `/sys/bus/usb/devices` is read at
 * `<root>/sys/bus/usb/devices`. Paths it returns (from `which`) are the paths as seen inside root.
 * @example
 * const report = await discoverDevices(realFs());                 // this machine
 * const fake = await discoverDevices(realFs('/tmp/tree', { PATH: '/usr/bin' }));
 */
export function realFs(root = '/', { PATH = process.env.PATH ?? '' }: { PATH?: string } = {}): FsReader {
  // normalize('/' + p) folds '..' at the top, so a path never leaves root.
  const at = (p: string) => posix.join(root, posix.normalize('/' + p));
  const isExecutable = async (p: string) => {
    try {
      if (!(await stat(at(p))).isFile()) return false;
      await access(at(p), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return {
    readText: (p) => readFile(at(p), 'utf8').catch(() => null),
    list: (d) => readdir(at(d)).then((names) => names.sort(), () => []),
    exists: (p) => stat(at(p)).then(() => true, () => false),
    async which(cmd) {
      if (cmd.includes('/')) return (await isExecutable(cmd)) ? cmd : null;
      for (const dir of PATH.split(':')) {
        // An empty PATH entry means the current directory (POSIX), which a host should not trust: skipped.
        if (!dir.startsWith('/')) continue;
        const p = posix.join(dir, cmd);
        if (await isExecutable(p)) return p;
      }
      return null;
    },
  };
}

/** One Edge TPU. `id` is the `device` option of the Edge TPU delegate (`usb:N`, `pci:N`). */
export interface EdgeTpuDevice {
  id: string;
  bus: 'usb' | 'pci';
  /** The sysfs directory, e.g. /sys/bus/usb/devices/2-1 or /sys/bus/pci/devices/0000:01:00.0. */
  sysfs: string;
  /** `vendor:product` (USB) or `vendor:device` (PCI) in lower-case hex without 0x, e.g. 1a6e:089a. */
  ids: string;
  /** USB only: bus and device numbers (as `lsusb` prints them). */
  busnum?: number;
  devnum?: number;
  /** PCI only: the PCI address, its /dev/apex_N node (null without the driver) and the bound driver. */
  address?: string;
  devNode?: string | null;
  driver?: string | null;
  /** USB: 'needs-firmware' before libedgetpu's first open, 'ready' after; PCI: 'ready' or 'no-driver'. */
  state: 'ready' | 'needs-firmware' | 'no-driver';
  usable: boolean;
  reason?: string;
}

export interface JetsonInfo {
  /** The L4T release as Jetson Linux numbers it, e.g. '35.4.1' (R35, REVISION 4.1); null when unparsed. */
  l4t: string | null;
  /** The first line of /etc/nv_tegra_release, or null when the file is absent. */
  release: string | null;
  /** /proc/device-tree/model without its NUL, e.g. 'NVIDIA Jetson AGX Orin Developer Kit'. */
  model: string | null;
}

export interface NvidiaGpu {
  /** `cuda:N`, N being the device minor (/dev/nvidiaN). */
  id: string;
  model: string | null;
  uuid: string | null;
  /** The PCI address (the directory name under /proc/driver/nvidia/gpus). */
  address: string;
  driverVersion: string | null;
}

export interface CpuInfo {
  cores: number;
  model: string | null;
  /** The SIMD extensions that matter to the CPU kernels, in a fixed order: avx2, avx512f, avx512_vnni, neon, asimd. */
  simd: string[];
}

export type ProviderName = 'cpu' | 'tflite' | 'edgetpu' | 'tensorrt';
export interface ProviderSuggestion {
  name: ProviderName;
  available: boolean;
  reason?: string;
}

export interface DeviceReport {
  edgetpu: EdgeTpuDevice[];
  jetson: JetsonInfo | null;
  nvidia: NvidiaGpu[];
  cpu: CpuInfo;
  /** Where libedgetpu.so.1 was found, or null. */
  libedgetpu: string | null;
  /** The TFLite C library (the Edge TPU delegate runs inside a TFLite interpreter), or null. */
  tflite: string | null;
  trtexec: string | null;
  nvidiaSmi: string | null;
  /** One line per provider, in the host's order of preference for `auto`. */
  providers: ProviderSuggestion[];
}

export interface DiscoverOptions {
  /** Core count; default os.cpus().length. */
  cores?: number;
  /** LD_LIBRARY_PATH (a colon-separated string or a list), searched before the usual library directories. */
  ldLibraryPath?: string | string[];
  /**
   * The TFLite C library the host will load (src/quant/tflite_c.ts findTfliteLibrary()); null: none. When undefined,
   * libtensorflowlite_c.so is looked for in the library directories.
   */
  tfliteLibrary?: string | null;
}

// USB IDs from libedgetpu's udev rules (debian/edgetpu-accelerator.rules in google-coral/libedgetpu): the
// accelerator enumerates as Global Unichip 1a6e:089a until the runtime uploads its firmware on first open, then
// re-enumerates as Google 18d1:9302 (coral.ai/docs/accelerator/get-started).
const USB_NEEDS_FIRMWARE = '1a6e:089a';
const USB_READY = '18d1:9302';
// The M.2/Mini PCIe Edge TPU: PCI vendor 0x1ac1, device 0x089a, driven by the gasket + apex modules, which make
// /dev/apex_N (coral.ai/docs/m2/get-started, "Install the PCIe driver").
const PCI_VENDOR = '0x1ac1';
const PCI_DEVICE = '0x089a';
/** The default search directories of the Debian/Ubuntu dynamic loader on x86-64 and arm64 (ld.so(8)). */
export const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];
/** Debian packages of TensorRT put trtexec here, off PATH (docs.nvidia.com/deeplearning/tensorrt, trtexec). */
export const TRTEXEC_FALLBACK = '/usr/src/tensorrt/bin/trtexec';

const text = async (fs: FsReader, p: string) => (await fs.readText(p))?.trim() ?? null;
const int = (s: string | null) => (s !== null && /^\d+$/.test(s) ? Number(s) : undefined);

/** The first directory that holds `name`: LD_LIBRARY_PATH first, as the loader searches it (ld.so(8)). */
async function findLibrary(fs: FsReader, name: string, ldLibraryPath: DiscoverOptions['ldLibraryPath']): Promise<string | null> {
  const extra = typeof ldLibraryPath === 'string' ? ldLibraryPath.split(':') : (ldLibraryPath ?? []);
  for (const dir of [...extra.filter((d) => d.startsWith('/')), ...LIBRARY_DIRS]) {
    const p = posix.join(dir, name);
    if (await fs.exists(p)) return p;
  }
  return null;
}

/**
 * USB Edge TPUs, numbered in (busnum, devnum) order, the order libusb enumerates them on Linux and so the N of the
 * delegate's `usb:N`. busnum and devnum are Documentation/ABI/stable/sysfs-bus-usb; idVendor and idProduct are the
 * device descriptor's fields, one file each (interfaces such as `1-1:1.0` have none and are skipped).
 */
async function usbEdgeTpus(fs: FsReader, lib: string | null): Promise<EdgeTpuDevice[]> {
  const base = '/sys/bus/usb/devices';
  const found: EdgeTpuDevice[] = [];
  for (const name of await fs.list(base)) {
    const sysfs = `${base}/${name}`;
    const ids = `${await text(fs, `${sysfs}/idVendor`)}:${await text(fs, `${sysfs}/idProduct`)}`.toLowerCase();
    if (ids !== USB_NEEDS_FIRMWARE && ids !== USB_READY) continue;
    const state = ids === USB_READY ? 'ready' : 'needs-firmware';
    const dev: EdgeTpuDevice = { id: '', bus: 'usb', sysfs, ids, state, usable: lib !== null };
    const busnum = int(await text(fs, `${sysfs}/busnum`));
    const devnum = int(await text(fs, `${sysfs}/devnum`));
    if (busnum !== undefined) dev.busnum = busnum;
    if (devnum !== undefined) dev.devnum = devnum;
    // Without the runtime nobody uploads the firmware, so a 1a6e:089a device stays in that state.
    if (!lib) dev.reason = `libedgetpu.so.1 is not installed${state === 'needs-firmware' ? ', which loads the firmware' : ''}`;
    found.push(dev);
  }
  found.sort((a, b) => (a.busnum ?? 0) - (b.busnum ?? 0) || (a.devnum ?? 0) - (b.devnum ?? 0));
  return found.map((d, i) => ({ ...d, id: `usb:${i}` }));
}

/**
 * PCIe Edge TPUs by PCI address order; the apex driver numbers /dev/apex_N in probe order, which follows it.
 * vendor, device and the drivers/<name>/<address> links are the sysfs PCI layout (kernel Documentation/PCI/sysfs-pci
 * and Documentation/ABI/testing/sysfs-bus-pci).
 */
async function pciEdgeTpus(fs: FsReader, lib: string | null): Promise<EdgeTpuDevice[]> {
  const base = '/sys/bus/pci/devices';
  const bound = new Set(await fs.list('/sys/bus/pci/drivers/apex'));
  const found: EdgeTpuDevice[] = [];
  for (const address of await fs.list(base)) {
    const sysfs = `${base}/${address}`;
    const vendor = (await text(fs, `${sysfs}/vendor`))?.toLowerCase();
    const device = (await text(fs, `${sysfs}/device`))?.toLowerCase();
    if (vendor !== PCI_VENDOR || device !== PCI_DEVICE) continue;
    const n = found.length;
    const node = `/dev/apex_${n}`;
    const devNode = (await fs.exists(node)) ? node : null;
    const dev: EdgeTpuDevice = {
      id: `pci:${n}`, bus: 'pci', sysfs, ids: '1ac1:089a', address, devNode,
      driver: bound.has(address) ? 'apex' : null, state: devNode ? 'ready' : 'no-driver', usable: devNode !== null && lib !== null,
    };
    const why = [
      devNode ? null : `no ${node}: the gasket and apex kernel drivers are not loaded (coral.ai/docs/m2/get-started)`,
      lib ? null : 'libedgetpu.so.1 is not installed',
    ].filter((s) => s !== null);
    if (why.length) dev.reason = why.join('; ');
    found.push(dev);
  }
  return found;
}

/**
 * Jetson: /etc/nv_tegra_release ("# R35 (release), REVISION: 4.1, GCID: …", the file the Jetson Linux Developer Guide
 * reads the L4T release from, docs.nvidia.com/jetson) and the device-tree model, NUL-terminated like every
 * device-tree string property (Documentation/ABI/testing/sysfs-firmware-ofw; /proc/device-tree links there).
 */
async function jetson(fs: FsReader): Promise<JetsonInfo | null> {
  const releaseText = await fs.readText('/etc/nv_tegra_release');
  const rawModel = await fs.readText('/proc/device-tree/model');
  const model = rawModel?.replace(/\0+$/, '').trim() || null;
  if (releaseText === null && !/jetson/i.test(model ?? '')) return null;
  const release = releaseText?.split('\n')[0].trim() || null;
  const m = release?.match(/^#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)/);
  return { l4t: m ? `${m[1]}.${m[2]}` : null, release, model };
}

/** `Key: value` lines as /proc/driver/nvidia/gpus/<address>/information writes them. */
function fields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of s.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

/**
 * NVIDIA GPUs known to the loaded kernel driver: one directory per GPU under /proc/driver/nvidia/gpus, and the
 * driver version in /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05 …",
 * also "… Open Kernel Module for x86_64  550.54.15 …"); the NVIDIA driver README documents both files.
 */
async function nvidiaGpus(fs: FsReader): Promise<NvidiaGpu[]> {
  const version = await fs.readText('/proc/driver/nvidia/version');
  const driverVersion = version?.match(/NVRM version:[^\n]*?\s(\d+\.\d+(?:\.\d+)?)\s/)?.[1] ?? null;
  const gpus: NvidiaGpu[] = [];
  for (const address of await fs.list('/proc/driver/nvidia/gpus')) {
    const info = await fs.readText(`/proc/driver/nvidia/gpus/${address}/information`);
    if (info === null) continue;
    const f = fields(info);
    const minor = int(f.get('Device Minor') ?? null) ?? gpus.length;
    gpus.push({ id: `cuda:${minor}`, model: f.get('Model') || null, uuid: f.get('GPU UUID') || null, address, driverVersion });
  }
  return gpus;
}

const SIMD = ['avx2', 'avx512f', 'avx512_vnni', 'neon', 'asimd'];

/** The model name and the SIMD flags of the first processor in /proc/cpuinfo (x86 `flags`, Arm `Features`). */
async function cpu(fs: FsReader, cores: number): Promise<CpuInfo> {
  const f = fields(((await fs.readText('/proc/cpuinfo')) ?? '').split(/\n\s*\n/)[0]);
  // x86 writes `model name`; 32-bit Arm `Hardware` (and `model name` per core); arm64 kernels write neither.
  const model = f.get('model name') || f.get('Hardware') || f.get('Model') || null;
  const flags = new Set((f.get('flags') ?? f.get('Features') ?? '').split(/\s+/));
  return { cores, model, simd: SIMD.filter((s) => flags.has(s)) };
}

/** What `auto` could pick, best first (edgetpu > tensorrt > tflite > cpu), each with the reason it cannot run. */
function suggest(r: Omit<DeviceReport, 'providers'>): ProviderSuggestion[] {
  const line = (name: ProviderName, reason: string | null): ProviderSuggestion =>
    reason === null ? { name, available: true } : { name, available: false, reason };
  const usable = r.edgetpu.filter((d) => d.usable);
  const edgetpu =
    r.edgetpu.length === 0 ? 'no Edge TPU found (USB 1a6e:089a or 18d1:9302, PCI 1ac1:089a)'
    : usable.length === 0 ? r.edgetpu.map((d) => `${d.id}: ${d.reason}`).join('; ')
    : r.tflite === null ? 'the TFLite C library, which loads the Edge TPU delegate, was not found'
    : null;
  const gpu = r.jetson !== null || r.nvidia.length > 0;
  const tensorrt =
    !gpu ? 'no NVIDIA GPU or Jetson found'
    : r.trtexec === null ? `TensorRT's trtexec is neither on PATH nor at ${TRTEXEC_FALLBACK}`
    : null;
  return [
    line('edgetpu', edgetpu),
    line('tensorrt', tensorrt),
    line('tflite', r.tflite === null ? 'the TFLite C library (libtensorflowlite_c) was not found' : null),
    line('cpu', null),
  ];
}

/**
 * Looks for every accelerator the host can drive, reading only files (no library is loaded).
 * @example
 * const report = await discoverDevices(realFs('/'), { ldLibraryPath: process.env.LD_LIBRARY_PATH });
 * console.log(formatDevices(report));
 */
export async function discoverDevices(fs: FsReader, opts: DiscoverOptions = {}): Promise<DeviceReport> {
  const libedgetpu = await findLibrary(fs, 'libedgetpu.so.1', opts.ldLibraryPath);
  const tflite =
    opts.tfliteLibrary !== undefined ? opts.tfliteLibrary : await findLibrary(fs, 'libtensorflowlite_c.so', opts.ldLibraryPath);
  const edgetpu = [...(await usbEdgeTpus(fs, libedgetpu)), ...(await pciEdgeTpus(fs, libedgetpu))];
  const trtexec = (await fs.which('trtexec')) ?? (await fs.which(TRTEXEC_FALLBACK));
  const base = {
    edgetpu,
    jetson: await jetson(fs),
    nvidia: await nvidiaGpus(fs),
    cpu: await cpu(fs, opts.cores ?? cpus().length),
    libedgetpu,
    tflite,
    trtexec,
    nvidiaSmi: await fs.which('nvidia-smi'),
  };
  return { ...base, providers: suggest(base) };
}

/** One line per Edge TPU, e.g. `usb:0  USB 18d1:9302 bus 2 device 3  ready, usable`. */
function edgeTpuLine(d: EdgeTpuDevice): string {
  const where =
    d.bus === 'usb'
      ? `USB ${d.ids} bus ${d.busnum ?? '?'} device ${d.devnum ?? '?'}`
      : `PCI ${d.address} ${d.devNode ?? '(no /dev/apex node)'}`;
  return `  ${d.id.padEnd(6)} ${where}  ${d.state}, ${d.usable ? 'usable' : `not usable: ${d.reason}`}`;
}

/** The listing `anyml host devices` prints. */
export function formatDevices(r: DeviceReport): string {
  const out: string[] = [];
  out.push(`CPU: ${r.cpu.model ?? 'unknown model'}, ${r.cpu.cores} cores, SIMD: ${r.cpu.simd.join(' ') || 'none'}`);
  out.push(`Edge TPU runtime: ${r.libedgetpu ?? 'libedgetpu.so.1 not found'}`);
  out.push(`TFLite C library: ${r.tflite ?? 'not found'}`);
  out.push(r.edgetpu.length ? 'Edge TPU:' : 'Edge TPU: none');
  for (const d of r.edgetpu) out.push(edgeTpuLine(d));
  if (r.jetson) {
    const j = r.jetson;
    out.push(`Jetson: ${j.model ?? 'unknown model'}, L4T ${j.l4t ?? (j.release ? `'${j.release}'` : 'unknown')}`);
  } else out.push('Jetson: none');
  out.push(r.nvidia.length ? 'NVIDIA GPU:' : 'NVIDIA GPU: none');
  for (const g of r.nvidia) {
    const where = g.uuid ? `${g.address}, ${g.uuid}` : g.address;
    out.push(`  ${g.id.padEnd(6)} ${g.model ?? 'unknown model'} (${where}), driver ${g.driverVersion ?? 'unknown'}`);
  }
  out.push(`nvidia-smi: ${r.nvidiaSmi ?? 'not found'}`);
  out.push(`trtexec: ${r.trtexec ?? 'not found'}`);
  out.push('Providers:');
  for (const p of r.providers) out.push(`  ${p.name.padEnd(9)} ${p.available ? 'available' : `unavailable: ${p.reason}`}`);
  return out.join('\n');
}
