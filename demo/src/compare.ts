// SPDX-License-Identifier: MIT
// Before/after viewer: two greyscale slices on one canvas, split by a slider; wheel or buttons zoom, drag pans.
import type { Slice } from './tomogan_protocol.js';

export interface CompareView {
  setImages(left: Slice | undefined, right: Slice | undefined, leftLabel: string, rightLabel: string): void;
  setSplit(fraction: number): void;
  zoomBy(factor: number, at?: { x: number; y: number }): void;
  reset(): void;
  readonly zoom: number;
}

/** Everything one viewer draws from: the two sides, the split, and the zoom around a centre in image px. */
interface ViewState {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  readonly onZoom: (z: number) => void;
  left: HTMLCanvasElement | undefined;
  right: HTMLCanvasElement | undefined;
  labels: [string, string];
  /** The divider, as a fraction of the canvas width. */
  split: number;
  zoom: number;
  /** The image point (image px) shown at the canvas centre. */
  cx: number;
  cy: number;
  /** The slices' size (image px). */
  w: number;
  h: number;
  /** The pointer and the centre when a drag began; undefined when no drag is on. */
  drag: { x: number; y: number; cx: number; cy: number } | undefined;
}

/** Where the slices land on the canvas (canvas px). */
interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** 0…255 (clipped) → an opaque grey canvas at the slice's own size. */
function toCanvas(s: Slice): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = s.width;
  c.height = s.height;
  const img = new ImageData(s.width, s.height);
  for (let i = 0; i < s.data.length; i++) {
    const v = Math.max(0, Math.min(255, Math.round(s.data[i])));
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

/** Keeps the square backing store at the canvas's CSS width in device px (sharp on HiDPI screens); returns that size. */
function fitCanvas(canvas: HTMLCanvasElement): number {
  const css = canvas.clientWidth || 512;
  const px = Math.round(css * devicePixelRatio);
  if (canvas.width !== px || canvas.height !== px) canvas.width = canvas.height = px;
  return px;
}

/** Canvas px per image px. */
const scale = (st: ViewState, px: number): number => (px / Math.max(st.w, st.h)) * st.zoom;

/** Draws `img` at `at`, clipped to the canvas columns from…to, so each side shows only its part of the split. */
function paintSide(ctx: CanvasRenderingContext2D, img: HTMLCanvasElement | undefined, at: Placement, from: number, to: number, px: number): void {
  if (!img) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(from, 0, to - from, px);
  ctx.clip();
  ctx.drawImage(img, at.x, at.y, at.width, at.height);
  ctx.restore();
}

/** A label on a dark box at the top, with its left or right edge at x, readable over any grey level. */
function tag(ctx: CanvasRenderingContext2D, t: string, x: number, align: CanvasTextAlign): void {
  ctx.textAlign = align;
  ctx.fillStyle = 'rgba(0,0,0,0.6)';
  const m = ctx.measureText(t).width;
  ctx.fillRect(align === 'left' ? x - 3 : x - m - 3, 4, m + 6, 18 * devicePixelRatio);
  ctx.fillStyle = '#fff';
  ctx.fillText(t, x, 6);
}

function drawLabels(ctx: CanvasRenderingContext2D, labels: readonly [string, string], px: number): void {
  ctx.font = `${13 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  if (labels[0]) tag(ctx, labels[0], 8, 'left');
  if (labels[1]) tag(ctx, labels[1], px - 8, 'right');
}

function draw(st: ViewState): void {
  const { ctx } = st;
  const px = fitCanvas(st.canvas);
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, px, px);
  if (!st.left && !st.right) return;
  const s = scale(st, px);
  // Nearest-neighbour once an image pixel spans 2 or more canvas pixels: sharp squares rather than a blur.
  ctx.imageSmoothingEnabled = s < 2;
  const at: Placement = { x: px / 2 - st.cx * s, y: px / 2 - st.cy * s, width: st.w * s, height: st.h * s };
  const cut = Math.round(st.split * px);
  paintSide(ctx, st.left, at, 0, cut, px);
  paintSide(ctx, st.right, at, cut, px, px);
  ctx.fillStyle = '#ffcc00';
  ctx.fillRect(cut - devicePixelRatio, 0, 2 * devicePixelRatio, px);
  drawLabels(ctx, st.labels, px);
}

/** Keeps the canvas centre on the image, so panning can never move the image out of view. */
function clampCentre(st: ViewState): void {
  st.cx = Math.max(0, Math.min(st.w, st.cx));
  st.cy = Math.max(0, Math.min(st.h, st.cy));
}

/** Zooms by `factor` keeping the point under `at` (fractions of the canvas) fixed. */
function zoomBy(st: ViewState, factor: number, at = { x: 0.5, y: 0.5 }): void {
  const px = fitCanvas(st.canvas);
  const s0 = scale(st, px);
  const ix = st.cx + (at.x - 0.5) * (px / s0), iy = st.cy + (at.y - 0.5) * (px / s0);
  st.zoom = Math.max(1, Math.min(32, st.zoom * factor));
  const s1 = scale(st, px);
  st.cx = ix - (at.x - 0.5) * (px / s1);
  st.cy = iy - (at.y - 0.5) * (px / s1);
  clampCentre(st);
  st.onZoom(st.zoom);
  draw(st);
}

/** Fits the whole slice: zoom 1, centred. */
function reset(st: ViewState): void {
  st.zoom = 1;
  st.cx = st.w / 2;
  st.cy = st.h / 2;
  st.onZoom(st.zoom);
  draw(st);
}

/** Shows new slices; the view fits again only for the first slices or a new size, so a new result keeps the zoom. */
function setImages(st: ViewState, l: Slice | undefined, r: Slice | undefined, leftLabel: string, rightLabel: string): void {
  const first = !st.left && !st.right;
  st.left = l && toCanvas(l);
  st.right = r && toCanvas(r);
  st.labels = [leftLabel, rightLabel];
  const dims = l ?? r;
  if (dims && (first || dims.width !== st.w || dims.height !== st.h)) {
    st.w = dims.width;
    st.h = dims.height;
    reset(st);
  }
  draw(st);
}

/** Drag to pan: the image point under the pointer follows it (pointer capture keeps the drag going when the pointer leaves the canvas). */
function listenDrag(st: ViewState): void {
  const { canvas } = st;
  canvas.addEventListener('pointerdown', (e) => {
    st.drag = { x: e.clientX, y: e.clientY, cx: st.cx, cy: st.cy };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    const drag = st.drag;
    if (!drag) return;
    const s = scale(st, fitCanvas(canvas)) / devicePixelRatio;
    st.cx = drag.cx - (e.clientX - drag.x) / s;
    st.cy = drag.cy - (e.clientY - drag.y) / s;
    clampCentre(st);
    draw(st);
  });
  canvas.addEventListener('pointerup', () => (st.drag = undefined));
}

/** The wheel zooms around the pointer; not passive, so preventDefault keeps the page from scrolling. */
function listenWheel(st: ViewState): void {
  const { canvas } = st;
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      zoomBy(st, e.deltaY < 0 ? 1.25 : 0.8, { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height });
    },
    { passive: false },
  );
}

export function compareView(canvas: HTMLCanvasElement, onZoom: (z: number) => void): CompareView {
  const st: ViewState = {
    canvas, ctx: canvas.getContext('2d')!, onZoom,
    left: undefined, right: undefined, labels: ['', ''],
    split: 0.5, zoom: 1, cx: 0, cy: 0, w: 1, h: 1, drag: undefined,
  };
  listenDrag(st);
  listenWheel(st);
  new ResizeObserver(() => draw(st)).observe(canvas);
  return {
    get zoom() {
      return st.zoom;
    },
    setImages: (l, r, leftLabel, rightLabel) => setImages(st, l, r, leftLabel, rightLabel),
    setSplit(f) {
      st.split = Math.max(0, Math.min(1, f));
      draw(st);
    },
    zoomBy: (factor, at) => zoomBy(st, factor, at),
    reset: () => reset(st),
  };
}
