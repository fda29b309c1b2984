import { grown } from "../typed-arrays";

/**
 * A set of byte strings numbered 0, 1, 2… in the order they were added, looked up straight from a
 * buffer range: the verifier's million ballot ids and voter tags without a JS string each.
 */
export class BytesTable {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private starts = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private table = new Int32Array(1 << 13).fill(-1);
  size = 0;

  private static hash(b: Uint8Array, from: number, to: number): number {
    let h = 0x811c9dc5 ^ (to - from);
    for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
    return h;
  }

  /** The number of bytes [from, to) of `b`, or -1. */
  find(b: Uint8Array, from: number, to: number): number {
    const h = BytesTable.hash(b, from, to);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) return -1;
      if (this.hashes[id] === h && this.equals(id, b, from, to)) return id;
    }
  }

  /** The number of bytes [from, to) of `b`, added when new (`added` tells). */
  add(b: Uint8Array, from: number, to: number): number {
    const h = BytesTable.hash(b, from, to);
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) break;
      if (this.hashes[id] === h && this.equals(id, b, from, to)) {
        this.added = false;
        return id;
      }
    }
    const id = this.size++;
    if (id + 1 >= this.starts.length) {
      this.starts = grown(this.starts, this.starts.length * 2);
      this.hashes = grown(this.hashes, this.starts.length);
    }
    const length = to - from;
    if (this.used + length > this.arena.length)
      this.arena = grown(this.arena, Math.max(this.arena.length * 2, this.used + length));
    this.arena.set(b.subarray(from, to), this.used);
    this.starts[id] = this.used;
    this.used += length;
    this.starts[id + 1] = this.used;
    this.hashes[id] = h;
    this.table[slot] = id;
    if (this.size * 2 > this.table.length) this.rehash();
    this.added = true;
    return id;
  }

  /** Whether the last `add` added. */
  added = false;

  private equals(id: number, b: Uint8Array, from: number, to: number): boolean {
    const start = this.starts[id];
    if (this.starts[id + 1] - start !== to - from) return false;
    for (let i = 0; i < to - from; i++) if (this.arena[start + i] !== b[from + i]) return false;
    return true;
  }

  private rehash() {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = this.table.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id] & mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & mask;
      this.table[slot] = id;
    }
  }

  /** The bytes of entry `id` (a view, valid until the next add). */
  bytes(id: number): Uint8Array {
    return this.arena.subarray(this.starts[id], this.starts[id + 1]);
  }

  text(id: number): string {
    return Buffer.from(this.bytes(id)).toString("utf8");
  }
}
