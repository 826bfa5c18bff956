import { describe, expect, it } from 'vitest';
import {
  GrowableU32,
  HashMultiMap,
  SparseRows,
  hashText,
} from '../../../src/engine/matching/packed-postings.js';

describe('HashMultiMap', () => {
  it('finds every value stored under a hash, packed or added later', () => {
    const hashes = new GrowableU32(2);
    const values = new GrowableU32(2);
    for (let i = 0; i < 1000; i += 1) {
      hashes.push(hashText(`word${i % 100}`));
      values.push(i);
    }
    const map = new HashMultiMap();
    map.load(hashes.data, values.data, hashes.length);
    map.add(hashText('word7'), 5000);
    const found: number[] = [];
    map.forEach(hashText('word7'), (v) => found.push(v));
    expect(found.sort((a, b) => a - b)).toEqual([7, 107, 207, 307, 407, 507, 607, 707, 807, 907, 5000]);
    const none: number[] = [];
    map.forEach(hashText('absent'), (v) => none.push(v));
    expect(none).toEqual([]);
  });

  it('hashes a word with one letter skipped like the shorter word', () => {
    expect(hashText('acme', 1)).toBe(hashText('ame'));
    expect(hashText('acme')).not.toBe(hashText('acne'));
  });
});

describe('SparseRows', () => {
  it('reads packed rows and keeps later changes per row', () => {
    const rows = new SparseRows();
    rows.load(Uint32Array.from([0, 2, 2, 5]), Uint32Array.from([10, 11, 20, 21, 22]));
    expect(rows.toArray(0)).toEqual([10, 11]);
    expect(rows.length(1)).toBe(0);
    expect(Array.from(rows.row(2))).toEqual([20, 21, 22]);
    rows.append(1, 99);
    rows.remove(2, 21);
    expect(rows.toArray(1)).toEqual([99]);
    expect(rows.toArray(2).sort((a, b) => a - b)).toEqual([20, 22]);
    expect(rows.toArray(0)).toEqual([10, 11]);
    rows.append(7, 1);
    expect(rows.toArray(7)).toEqual([1]);
  });
});
