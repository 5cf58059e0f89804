// kxy's own WGSL kernels for tfjs-backend-webgpu: one program shape (a flat grid of invocations, each
// looping over a row, column or element) and the registration helper. No workgroup barriers: each
// invocation owns what it writes, so the kernels run the same on any adapter, SwiftShader included.
import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-webgpu's WebGPUBackend a kernel uses. */
export interface GPUBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: { type: string; data: number[] }[]): tf.TensorInfo;
  incRef(dataId: object): void;
}

const WORKGROUP = 64;

/** A flat program: `threads` invocations (no guard when they fill whole workgroups, so a body may use
 *  barriers); `body` sees `index` (0 … threads−1), its inputs as arrays named
 *  as in `inputs`, and writes `result[…]`. Every constant the body bakes in must be in `key`. */
export class FlatProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly uniforms?: string;
  prelude = ''; // module-scope WGSL, e.g. workgroup memory
  constructor(
    key: string,
    inputs: string[],
    outputShape: number[],
    private readonly threads: number,
    private readonly body: string,
    uniforms?: string,
    workgroup = WORKGROUP,
  ) {
    this.workgroupSize = [workgroup, 1, 1];
    this.variableNames = inputs;
    this.outputShape = outputShape;
    this.shaderKey = `kxy_${key}`;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(threads / workgroup), 1, 1];
    if (uniforms) this.uniforms = uniforms;
  }
  getUserCode(): string {
    return `
      ${this.prelude}
      fn main(index : i32) {
        _ = uniforms.NAN; // tfjs always binds its uniforms: use them, or the auto layout drops the binding
        ${this.threads % this.workgroupSize[0] === 0 ? '' : `if (index >= ${this.threads}) { return; }`}
        ${this.body}
      }`;
  }
}

/** Runs a FlatProgram on the webgpu backend. */
export function run(backend: unknown, program: FlatProgram, inputs: tf.TensorInfo[], uniforms?: { type: string; data: number[] }[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  return (backend as GPUBackendLike).runWebGPUProgram(program, inputs, dtype, uniforms);
}

/** A second output that is an input itself: shares its buffer, as tfjs's own Reshape does. */
export function alias(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  (backend as GPUBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Registers a webgpu kernel once (module reloads in tests call this again). */
export function register(name: string, kernelFunc: (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (!tf.getKernel(name, 'webgpu')) tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** WGSL float literal. */
export const f = (x: number): string => {
  const s = String(Math.fround(x));
  return /[.eE]/.test(s) ? s : s + '.0';
};
