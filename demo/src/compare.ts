// SPDX-License-Identifier: MIT
// Before/after viewer: two greyscale slices on one canvas, split by a slider; wheel or buttons zoom, drag pans.
import type { Slice } from './tomogan-protocol.js';

export interface CompareView {
  setImages(left: Slice | undefined, right: Slice | undefined, leftLabel: string, rightLabel: string): void;
  setSplit(fraction: number): void;
  zoomBy(factor: number, at?: { x: number; y: number }): void;
  reset(): void;
  readonly zoom: number;
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

export function compareView(canvas: HTMLCanvasElement, onZoom: (z: number) => void): CompareView {
  const ctx = canvas.getContext('2d')!;
  let left: HTMLCanvasElement | undefined, right: HTMLCanvasElement | undefined;
  let labels = ['', ''];
  let split = 0.5, zoom = 1, cx = 0, cy = 0, w = 1, h = 1;

  const size = () => {
    const css = canvas.clientWidth || 512;
    const px = Math.round(css * devicePixelRatio);
    if (canvas.width !== px || canvas.height !== px) canvas.width = canvas.height = px;
    return px;
  };
  /** Canvas px per image px. */
  const scale = (px: number) => (px / Math.max(w, h)) * zoom;

  function draw(): void {
    const px = size();
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, px, px);
    if (!left && !right) return;
    const s = scale(px);
    ctx.imageSmoothingEnabled = s < 2;
    const x0 = px / 2 - cx * s, y0 = px / 2 - cy * s;
    const cut = Math.round(split * px);
    const paint = (img: HTMLCanvasElement | undefined, from: number, to: number) => {
      if (!img) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(from, 0, to - from, px);
      ctx.clip();
      ctx.drawImage(img, x0, y0, w * s, h * s);
      ctx.restore();
    };
    paint(left, 0, cut);
    paint(right, cut, px);
    ctx.fillStyle = '#ffcc00';
    ctx.fillRect(cut - devicePixelRatio, 0, 2 * devicePixelRatio, px);
    ctx.font = `${13 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    const tag = (t: string, x: number, align: CanvasTextAlign) => {
      ctx.textAlign = align;
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      const m = ctx.measureText(t).width;
      ctx.fillRect(align === 'left' ? x - 3 : x - m - 3, 4, m + 6, 18 * devicePixelRatio);
      ctx.fillStyle = '#fff';
      ctx.fillText(t, x, 6);
    };
    if (labels[0]) tag(labels[0], 8, 'left');
    if (labels[1]) tag(labels[1], px - 8, 'right');
  }

  const clampCentre = () => {
    cx = Math.max(0, Math.min(w, cx));
    cy = Math.max(0, Math.min(h, cy));
  };
  let drag: { x: number; y: number; cx: number; cy: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, cx, cy };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const s = scale(size()) / devicePixelRatio;
    cx = drag.cx - (e.clientX - drag.x) / s;
    cy = drag.cy - (e.clientY - drag.y) / s;
    clampCentre();
    draw();
  });
  canvas.addEventListener('pointerup', () => (drag = undefined));
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      view.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height });
    },
    { passive: false },
  );
  new ResizeObserver(draw).observe(canvas);

  const view: CompareView = {
    get zoom() {
      return zoom;
    },
    setImages(l, r, ll, rl) {
      const first = !left && !right;
      left = l && toCanvas(l);
      right = r && toCanvas(r);
      labels = [ll, rl];
      const dims = l ?? r;
      if (dims && (first || dims.width !== w || dims.height !== h)) {
        w = dims.width;
        h = dims.height;
        view.reset();
      }
      draw();
    },
    setSplit(f) {
      split = Math.max(0, Math.min(1, f));
      draw();
    },
    /** Zooms by `factor` keeping the point under `at` (fractions of the canvas) fixed. */
    zoomBy(factor, at = { x: 0.5, y: 0.5 }) {
      const px = size();
      const s0 = scale(px);
      const ix = cx + (at.x - 0.5) * (px / s0), iy = cy + (at.y - 0.5) * (px / s0);
      zoom = Math.max(1, Math.min(32, zoom * factor));
      const s1 = scale(px);
      cx = ix - (at.x - 0.5) * (px / s1);
      cy = iy - (at.y - 0.5) * (px / s1);
      clampCentre();
      onZoom(zoom);
      draw();
    },
    reset() {
      zoom = 1;
      cx = w / 2;
      cy = h / 2;
      onZoom(zoom);
      draw();
    },
  };
  return view;
}
