// SPDX-License-Identifier: MIT
// The host protocol and its framings, shared by `anyml host` (native-host/) and its clients (docs/host.md).
export { PROTOCOL_VERSION, DEFAULT_PORT, PROVIDER_KINDS, ERROR_CODES, parseMessage, hostError, toHostError, TooLargeError } from './protocol.js';
export type {
  HostMessage, HelloMessage, WelcomeMessage, InferMessage, ResultMessage, HostErrorMessage, ErrorCode, ProviderInfo, ProviderKind, Stages, InferOptions,
} from './protocol.js';
export { encodeFrame, encodeFrameParts, decodeFrame, payloadAsFloat32, encodeNativeMessage, NativeMessageReader, chunkNativeResult, NativeResultAssembler, attachNativePayload, detachNativePayload, DEFAULT_MAX_FRAME_BYTES, NATIVE_MAX_TO_HOST_BYTES } from './framing.js';
export type { Frame, FrameOptions } from './framing.js';
export { connectHost, HostError } from './client.js';
export type { ConnectHostOptions, HostHandle, HostResult } from './client.js';
