// SPDX-License-Identifier: MIT
// Auto-generated. Do not edit. Source: cpp/ (kernels, svm, io). Generator: wasm/build.sh (emscripten 3.1.6).
