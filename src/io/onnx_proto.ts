// SPDX-License-Identifier: MIT
// ONNX protobuf encoding shared by the float export (src/tomogan/onnx.ts) and the int8 QDQ export (src/quant/onnx_qdq.ts):
// a minimal ModelProto writer (onnx/onnx.proto3), with no dependency on tfjs.

// ---------------------------------------------------------------------------------------------------------------
// Minimal protobuf writer (protobuf "Encoding" guide): tag = field << 3 | wire type; wire type 0 = varint,
// 2 = length-delimited (strings, bytes, sub-messages, packed repeated scalars), 5 = 32-bit (float).

export class Writer {
  private chunks: Uint8Array[] = [];
  private len = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.len += b.byteLength;
  }

  /** Unsigned varint of a non-negative safe integer (or -1 etc. as 10-byte two's complement int64). */
  private varint(v: number): void {
    const out: number[] = [];
    if (v < 0) {
      // int64 negatives are encoded as 10-byte two's complement (protobuf "Varints").
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        out.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      out.push(Number(big));
    } else {
      while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      out.push(v);
    }
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.byteLength);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  /** Packed repeated int64 (proto3 default packing for scalar repeated fields). */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new Writer();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}

/** AttributeProto.AttributeType (onnx.proto3): FLOAT = 1, INT = 2, STRING = 3, FLOATS = 6, INTS = 7. */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type Attr = { name: string } & ({ i: number } | { s: string } | { ints: readonly number[] } | { f: number });

/** AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20. */
function attribute(a: Attr): Writer {
  const w = new Writer().string(1, a.name);
  if ('i' in a) w.int(3, a.i).int(20, ATTR.INT);
  else if ('s' in a) w.string(4, a.s).int(20, ATTR.STRING);
  else if ('f' in a) w.float(2, a.f).int(20, ATTR.FLOAT);
  else w.packedInts(8, a.ints).int(20, ATTR.INTS);
  return w;
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
export function node(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attrs: readonly Attr[] = []): Writer {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const a of attrs) w.message(5, attribute(a));
  return w;
}


/** A dimension: TensorShapeProto.Dimension dim_value = 1 (int64) or dim_param = 2 (symbolic name). */
export type Dim = number | string;

/**
 * IR version for an opset, from onnx/docs/Versioning.md "Released Versions": opset 11 → IR 6, 12–14 → 7,
 * 15–18 → 8, 19–20 → 9, 21 → 10.
 */
export function onnxIrVersion(opset: number): number {
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
