/**
 * Compact structures for an index of a million records: typed arrays built once from a snapshot,
 * plus small maps for what changes afterwards. Plain Maps of arrays would cost several times the
 * memory and most of the build time at that size.
 */

/** A Uint32Array that grows as values are pushed. */
export class GrowableU32 {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  /** The values pushed so far, in a right-sized copy. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** FNV-1a over UTF-16 code units, leaving out the units at `skip` and `skip2` (-1 for none). */
export function hashText(text: string, skip = -1, skip2 = -1): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    if (i === skip || i === skip2) continue;
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * hash → values, many per hash: an open hash table in compressed rows (bucket → its hashes and
 * values) built once by counting, then a Map for values added later. Callers verify what they
 * get: different keys may share a hash. Each value may carry a tag, read beside it (a caller's
 * filter, checked before the value's own record is read).
 */
export class HashMultiMap {
  private mask = 0;
  private starts: Uint32Array = new Uint32Array(1);
  private hashes: Uint32Array = new Uint32Array(0);
  private values: Uint32Array = new Uint32Array(0);
  private tags: Uint32Array = new Uint32Array(0);
  /** Values added since the load, each followed by its tag. */
  private readonly added = new Map<number, number[]>();

  /** Replaces the packed part with the first `count` (hash, value, tag) triples; without `tags`, every tag is 0. */
  load(hashes: Uint32Array, values: Uint32Array, count: number, tags?: Uint32Array): void {
    let buckets = 1;
    while (buckets < count) buckets *= 2;
    const mask = buckets - 1;
    const starts = new Uint32Array(buckets + 1);
    for (let i = 0; i < count; i += 1) {
      const bucket = ((hashes[i] as number) & mask) + 1;
      starts[bucket] = (starts[bucket] as number) + 1;
    }
    for (let b = 0; b < buckets; b += 1) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
    const fill = starts.slice(0, buckets);
    const packedHashes = new Uint32Array(count);
    const packedValues = new Uint32Array(count);
    const packedTags = new Uint32Array(tags === undefined ? 0 : count);
    for (let i = 0; i < count; i += 1) {
      const hash = hashes[i] as number;
      const bucket = hash & mask;
      const at = fill[bucket] as number;
      packedHashes[at] = hash;
      packedValues[at] = values[i] as number;
      if (tags !== undefined) packedTags[at] = tags[i] as number;
      fill[bucket] = at + 1;
    }
    this.mask = mask;
    this.starts = starts;
    this.hashes = packedHashes;
    this.values = packedValues;
    this.tags = packedTags;
  }

  add(hash: number, value: number, tag = 0): void {
    const list = this.added.get(hash);
    if (list === undefined) this.added.set(hash, [value, tag]);
    else list.push(value, tag);
  }

  /**
   * Appends the values under `hash` (and maybe others sharing its hash) to `into` and their tags to
   * `tagsInto`, without a call per value.
   */
  collect(hash: number, into: GrowableU32, tagsInto: GrowableU32): void {
    const bucket = hash & this.mask;
    const end = this.starts[bucket + 1] as number;
    const tagged = this.tags.length > 0;
    for (let i = this.starts[bucket] as number; i < end; i += 1) {
      if (this.hashes[i] !== hash) continue;
      into.push(this.values[i] as number);
      tagsInto.push(tagged ? (this.tags[i] as number) : 0);
    }
    const list = this.added.size === 0 ? undefined : this.added.get(hash);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i += 2) {
      into.push(list[i] as number);
      tagsInto.push(list[i + 1] as number);
    }
  }

  forEach(hash: number, visit: (value: number) => void): void {
    const bucket = hash & this.mask;
    const end = this.starts[bucket + 1] as number;
    for (let i = this.starts[bucket] as number; i < end; i += 1) {
      if (this.hashes[i] === hash) visit(this.values[i] as number);
    }
    const list = this.added.size === 0 ? undefined : this.added.get(hash);
    if (list !== undefined) for (let i = 0; i < list.length; i += 2) visit(list[i] as number);
  }
}

/**
 * row → values (compressed sparse rows) built once, with a Map for rows changed afterwards. Used
 * for word → accounts and account → words.
 */
export class SparseRows {
  private starts: Uint32Array = new Uint32Array(1);
  private values: Uint32Array = new Uint32Array(0);
  private readonly overrides = new Map<number, number[]>();

  /** Loads rows 0..rows-1 given as consecutive runs: row r holds values[starts[r]..starts[r+1]). */
  load(starts: Uint32Array, values: Uint32Array): void {
    this.starts = starts;
    this.values = values;
    this.overrides.clear();
  }

  private packedRows(): number {
    return this.starts.length - 1;
  }

  length(row: number): number {
    const override = this.overrides.get(row);
    if (override !== undefined) return override.length;
    if (row >= this.packedRows()) return 0;
    return (this.starts[row + 1] as number) - (this.starts[row] as number);
  }

  /**
   * The array holding a row, to read in place between `rowStart` and `rowEnd` without a view
   * allocated per row (lookups read thousands of rows).
   */
  rowValues(row: number): ArrayLike<number> {
    return (this.overrides.size === 0 ? undefined : this.overrides.get(row)) ?? this.values;
  }

  /** True while the row is as loaded (not changed since). */
  isPacked(row: number): boolean {
    return this.overrides.size === 0 || !this.overrides.has(row);
  }

  rowStart(row: number): number {
    if (this.overrides.size > 0 && this.overrides.has(row)) return 0;
    return row < this.packedRows() ? (this.starts[row] as number) : 0;
  }

  rowEnd(row: number): number {
    const override = this.overrides.size === 0 ? undefined : this.overrides.get(row);
    if (override !== undefined) return override.length;
    return row < this.packedRows() ? (this.starts[row + 1] as number) : 0;
  }

  /** The row's values, read-only: a view into the packed part or the changed row itself. */
  row(row: number): ArrayLike<number> {
    if (this.overrides.size > 0) {
      const override = this.overrides.get(row);
      if (override !== undefined) return override;
    }
    if (row >= this.packedRows()) return [];
    return this.values.subarray(this.starts[row] as number, this.starts[row + 1] as number);
  }

  get(row: number, i: number): number {
    const override = this.overrides.get(row);
    if (override !== undefined) return override[i] as number;
    return this.values[(this.starts[row] as number) + i] as number;
  }

  /** The row as an array (copied only when the row was loaded packed). */
  toArray(row: number): number[] {
    const override = this.overrides.get(row);
    if (override !== undefined) return override;
    if (row >= this.packedRows()) return [];
    return Array.from(this.values.subarray(this.starts[row] as number, this.starts[row + 1] as number));
  }

  set(row: number, values: number[]): void {
    this.overrides.set(row, values);
  }

  /** Appends to a row, moving it out of the packed part on its first change. */
  append(row: number, value: number): void {
    let override = this.overrides.get(row);
    if (override === undefined) {
      override = this.toArray(row);
      this.overrides.set(row, override);
    }
    override.push(value);
  }

  remove(row: number, value: number): void {
    let override = this.overrides.get(row);
    if (override === undefined) {
      if (this.length(row) === 0) return;
      override = this.toArray(row);
      this.overrides.set(row, override);
    }
    const at = override.lastIndexOf(value);
    if (at < 0) return;
    override[at] = override[override.length - 1] as number;
    override.pop();
  }
}
