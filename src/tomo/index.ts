// SPDX-License-Identifier: MIT
// Low-dose tomography simulator: phantoms, Radon transform, FBP and Poisson photon noise.

export { fft } from './fft.js';
export { fbp, fourierFilter, type FbpFilter, type FbpOptions } from './fbp.js';
export { phantom, phantomStack, type PhantomKind, type PhantomOptions } from './phantom.js';
export { anglesFor, radon, type AngleList, type Sinogram } from './radon.js';
export { nextDouble, poisson, simulateLowDose, type Reconstruction, type SimulateOptions, type SimulateResult } from './simulate.js';
export { sirt, type SirtOptions } from './sirt.js';
