// SPDX-License-Identifier: MIT
// Which float weights an edge run uses: an edge model's int8 ranges and fine-tune network were measured on one
// generator (edge.json `base`), so without --weights the run takes that generator, not the default float weights.
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';
import { isShippedWeights } from '../tomogan/default_weights.js';
import { DEFAULT_EDGE_BASE } from '../tomogan/edge/model_file.js';

/** `weights` when given; else the base of the edge.json at `edgeModel` (a shipped name), or the shipped edge's base. */
export async function edgeWeights(flag: string, weights: string | undefined, edgeModel: string | undefined): Promise<string> {
  if (weights) return weights;
  if (!edgeModel) return DEFAULT_EDGE_BASE;
  const base = (JSON.parse(await readFile(edgeModel, 'utf8')) as { base?: unknown }).base;
  if (typeof base === 'string' && isShippedWeights(base)) return base;
  throw new InvalidInputError(`${flag}: ${edgeModel} base`, JSON.stringify(base), 'the name of shipped weights, or --weights naming the float weights it was quantized from');
}
