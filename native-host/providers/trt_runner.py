# SPDX-License-Identifier: MIT
# The `tensorrt` provider's engine runner: a persistent Python 3 process that loads one serialized TensorRT engine
# (JetPack ships the `tensorrt` bindings; CUDA memory via cuda-python or pycuda) and answers float32 NCHW tensors over
# length-prefixed frames on stdin/stdout (native-host/tensorrt/runner.ts is the other side). Frame = 4-byte
# little-endian header length, UTF-8 JSON header, then header["bytes"] raw little-endian bytes.
import ctypes
import json
import os
import struct
import sys
import time

MAX_HEADER = 1 << 20


def read_exact(stream, n):
    """n bytes from stream, or None at a clean end of stream before the first byte."""
    chunks = []
    got = 0
    while got < n:
        b = stream.read(n - got)
        if not b:
            if got == 0:
                return None
            raise EOFError("stream ended inside a frame (%d of %d bytes)" % (got, n))
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def read_frame(stream):
    """(header dict, payload bytes), or None when the stream ends between frames."""
    raw = read_exact(stream, 4)
    if raw is None:
        return None
    (n,) = struct.unpack("<I", raw)
    if n > MAX_HEADER:
        raise ValueError("frame header of %d bytes exceeds %d" % (n, MAX_HEADER))
    header = json.loads(read_exact(stream, n).decode("utf-8"))
    size = int(header.get("bytes", 0))
    payload = read_exact(stream, size) if size else b""
    if size and payload is None:
        raise EOFError("stream ended before a %d-byte payload" % size)
    return header, payload


def write_frame(stream, header, payload=b""):
    """Writes one frame; header["bytes"] is set to len(payload)."""
    header = dict(header, bytes=len(payload))
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    stream.write(struct.pack("<I", len(h)) + h)
    if payload:
        stream.write(payload)
    stream.flush()


def frame_stdio():
    """The frame streams: a private copy of stdout, with fd 1 pointed at stderr, so that whatever a native library
    prints cannot corrupt the frames."""
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return sys.stdin.buffer, os.fdopen(out_fd, "wb", buffering=0)


def serve(infer, ready, inp, out):
    """Says `ready`, then answers each request with infer(shape, payload) -> (shape, payload) until end of input."""
    write_frame(out, ready)
    while True:
        frame = read_frame(inp)
        if frame is None:
            return
        header, payload = frame
        rid = header.get("id")
        try:
            if header.get("dtype", "float32") != "float32":
                raise ValueError("dtype %r: only float32 is supported" % header.get("dtype"))
            shape = [int(d) for d in header["shape"]]
            count = 1
            for d in shape:
                count *= d
            if count * 4 != len(payload):
                raise ValueError("shape %s needs %d bytes, got %d" % (shape, count * 4, len(payload)))
            t0 = time.perf_counter()
            oshape, data = infer(shape, payload)
            ms = (time.perf_counter() - t0) * 1000.0
            write_frame(out, {"id": rid, "shape": list(oshape), "ms": ms}, data)
        except Exception as e:  # an answer, not a crash: the next request may succeed
            write_frame(out, {"id": rid, "error": "%s: %s" % (type(e).__name__, e)})


class Cuda:
    """The few CUDA runtime calls the runner needs, from cuda-python (`cuda.bindings.runtime` / `cuda.cudart`)
    or pycuda, whichever is installed."""

    def __init__(self):
        try:
            try:
                from cuda.bindings import runtime as cudart
            except ImportError:
                from cuda import cudart
            self.rt, self.kind = cudart, "cuda-python"
            self.stream = self._ok(cudart.cudaStreamCreate())
        except ImportError:
            import pycuda.autoinit  # noqa: F401  (creates the context)
            import pycuda.driver as drv
            self.rt, self.kind = drv, "pycuda"
            self._pstream = drv.Stream()
            self.stream = self._pstream.handle

    def _ok(self, r):
        err = r[0] if isinstance(r, tuple) else r
        if int(err) != 0:
            raise RuntimeError("CUDA error %s" % err)
        return r[1] if isinstance(r, tuple) and len(r) > 1 else None

    def malloc(self, n):
        if self.kind == "pycuda":
            return self.rt.mem_alloc(n)
        return self._ok(self.rt.cudaMalloc(n))

    def ptr(self, d):
        return int(d)

    def free(self, d):
        if self.kind == "pycuda":
            return d.free()
        self._ok(self.rt.cudaFree(d))

    def htod(self, d, data):
        if self.kind == "pycuda":
            return self.rt.memcpy_htod(d, data)
        buf = (ctypes.c_char * len(data)).from_buffer_copy(data)
        self._ok(self.rt.cudaMemcpy(d, ctypes.addressof(buf), len(data), self.rt.cudaMemcpyKind.cudaMemcpyHostToDevice))

    def dtoh(self, d, n):
        out = bytearray(n)
        if self.kind == "pycuda":
            self.rt.memcpy_dtoh(out, d)
            return bytes(out)
        buf = (ctypes.c_char * n).from_buffer(out)
        self._ok(self.rt.cudaMemcpy(ctypes.addressof(buf), d, n, self.rt.cudaMemcpyKind.cudaMemcpyDeviceToHost))
        return bytes(out)

    def sync(self):
        if self.kind == "pycuda":
            return self._pstream.synchronize()
        self._ok(self.rt.cudaStreamSynchronize(self.stream))


class Engine:
    """One deserialized engine with one input and one output, on the tensor-name API (TensorRT >= 8.5) or the
    binding API (older, e.g. JetPack 4's 8.2)."""

    def __init__(self, trt, path, cuda):
        self.trt, self.cuda = trt, cuda
        self.logger = trt.Logger(trt.Logger.WARNING)
        with open(path, "rb") as f:
            self.engine = trt.Runtime(self.logger).deserialize_cuda_engine(f.read())
        if self.engine is None:
            raise RuntimeError("TensorRT could not deserialize %s (built by another TensorRT version or GPU?)" % path)
        self.context = self.engine.create_execution_context()
        self.v3 = hasattr(self.engine, "num_io_tensors") and hasattr(self.context, "execute_async_v3")
        if self.v3:
            names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
            ins = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
            outs = [n for n in names if n not in ins]
            self.input, self.output = ins[0], outs[0]
            self.out_dtype = self.engine.get_tensor_dtype(self.output)
        else:
            n = self.engine.num_bindings
            self.in_idx = [i for i in range(n) if self.engine.binding_is_input(i)][0]
            self.out_idx = [i for i in range(n) if not self.engine.binding_is_input(i)][0]
            self.input, self.output = self.engine.get_binding_name(self.in_idx), self.engine.get_binding_name(self.out_idx)
            self.out_dtype = self.engine.get_binding_dtype(self.out_idx)
        self.buffers = {}

    def _buffer(self, which, n):
        cur = self.buffers.get(which)
        if cur is None or cur[1] < n:
            if cur is not None:
                self.cuda.free(cur[0])
            cur = (self.cuda.malloc(n), n)
            self.buffers[which] = cur
        return cur[0]

    def infer(self, shape, payload):
        trt, cuda = self.trt, self.cuda
        if self.v3:
            if not self.context.set_input_shape(self.input, shape):
                raise ValueError("input shape %s is outside the engine's optimisation profile" % shape)
            oshape = list(self.context.get_tensor_shape(self.output))
        else:
            if not self.context.set_binding_shape(self.in_idx, shape):
                raise ValueError("input shape %s is outside the engine's optimisation profile" % shape)
            oshape = list(self.context.get_binding_shape(self.out_idx))
        half = self.out_dtype == trt.float16
        count = 1
        for d in oshape:
            count *= d
        obytes = count * (2 if half else 4)
        d_in, d_out = self._buffer("in", len(payload)), self._buffer("out", obytes)
        cuda.htod(d_in, payload)
        if self.v3:
            self.context.set_tensor_address(self.input, cuda.ptr(d_in))
            self.context.set_tensor_address(self.output, cuda.ptr(d_out))
            if not self.context.execute_async_v3(cuda.stream):
                raise RuntimeError("TensorRT execute_async_v3 failed")
            cuda.sync()
        else:
            bindings = [0] * self.engine.num_bindings
            bindings[self.in_idx], bindings[self.out_idx] = cuda.ptr(d_in), cuda.ptr(d_out)
            if not self.context.execute_v2(bindings):
                raise RuntimeError("TensorRT execute_v2 failed")
        data = cuda.dtoh(d_out, obytes)
        if half:
            data = struct.pack("<%df" % count, *struct.unpack("<%de" % count, data))
        return oshape, data


def main(argv):
    inp, out = frame_stdio()
    if len(argv) != 3 or argv[1] != "--engine":
        write_frame(out, {"error": "usage: trt_runner.py --engine <file>"})
        return 2
    try:
        import tensorrt as trt
    except ImportError as e:
        write_frame(out, {"error": "the TensorRT Python bindings are missing (%s): JetPack ships them as "
                                   "python3-libnvinfer; elsewhere pip install tensorrt" % e})
        return 3
    try:
        cuda = Cuda()
    except ImportError as e:
        write_frame(out, {"error": "neither cuda-python nor pycuda is installed (%s): pip install cuda-python" % e})
        return 3
    try:
        engine = Engine(trt, argv[2], cuda)
    except Exception as e:
        write_frame(out, {"error": "%s: %s" % (type(e).__name__, e)})
        return 4
    serve(engine.infer, {"ready": True, "trt": trt.__version__, "cuda": cuda.kind, "input": engine.input,
                         "output": engine.output}, inp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
