// SPDX-License-Identifier: MIT
// Core data types: plain objects over typed arrays, so they can be transferred to workers unchanged.

/** Compressed sparse rows. Column indices are 0-based and ascending within a row. */
export interface CsrMatrix {
  kind: 'csr';
  rows: number;
  cols: number;
  /** rows + 1 offsets into indices/values. */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Dense row-major matrix. */
export interface DenseMatrix {
  kind: 'dense';
  rows: number;
  cols: number;
  data: Float32Array;
}

export type Matrix = CsrMatrix | DenseMatrix;

/**
 * A classification dataset. Binary (two `labels`): `y` holds ±1 and `labels` are the user's original values that
 * −1 and +1 stand for, [neg, pos] (for example [0, 1] or [−1, 1]). Multiclass (three or more `labels`, the
 * classes in class order): `y` holds each row's class index 0…K−1 into `labels`. Either way predictions are mapped
 * back to the user's values.
 */
export interface Dataset {
  x: Matrix;
  y: Float32Array;
  labels: number[];
}

/**
 * A stack of `depth` grey slices of `height` × `width` pixels. `data.length === depth * height * width`, laid out
 * [depth][height][width] (C order): pixel (z, y, x) is `data[(z * height + y) * width + x]`. Shared by image I/O,
 * the simulator, the metrics and TomoGAN.
 */
export interface Image {
  width: number;
  height: number;
  depth: number;
  data: Float32Array;
}
