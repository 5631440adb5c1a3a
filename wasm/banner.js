// SPDX-License-Identifier: MIT
// Auto-generated. Do not edit. Source: cpp/ (kernels, svm). Generator: wasm/build.sh (emscripten 3.1.6).
