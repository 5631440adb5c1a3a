// SPDX-License-Identifier: MIT
// The image type shared by TomoGAN model, tiling, metrics and image I/O: float32 voxels, C order [depth][height][width].

/**
 * A stack of `depth` grey slices of `height` × `width` pixels. `data.length === depth * height * width`, laid out
 * [depth][height][width] (C order): pixel (z, y, x) is `data[(z * height + y) * width + x]`.
 */
export interface Image {
  width: number;
  height: number;
  depth: number;
  data: Float32Array;
}
