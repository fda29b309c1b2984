/** A copy of a typed array in a larger one of the same kind (for arrays that grow by doubling). */
export function grown<T extends Uint8Array | Int32Array | Float64Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}
