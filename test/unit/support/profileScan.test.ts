import { describe, expect, it } from 'vitest';
import { contains, logRecords, needlesOf, snappyDecompress } from '../../support/profileScan';

/** The profile scanner of the secrets test must see what a plain byte search misses. */

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('snappy decompression', () => {
  it('expands literals and back-references, overlapping ones included', () => {
    // "abcd" as a literal, then a copy of 8 bytes from 4 back (overlapping), then "xyz".
    const stream = new Uint8Array([15, (4 - 1) << 2, ...bytes('abcd'), ((8 - 4) << 2) | 1, 4, (3 - 1) << 2, ...bytes('xyz')]);
    expect(text(snappyDecompress(stream))).toBe('abcdabcdabcdxyz');
    // The whole secret is not in the compressed bytes: only decompression shows it.
    expect(contains(stream, bytes('abcdabcdabcd'))).toBe(false);
  });

  it('refuses a stream that does not add up', () => {
    expect(() => snappyDecompress(new Uint8Array([20, (4 - 1) << 2, ...bytes('abcd')]))).toThrow();
    expect(() => snappyDecompress(new Uint8Array([8, ((8 - 4) << 2) | 1, 4]))).toThrow();
  });
});

describe('LevelDB log records', () => {
  /** A record cut by the 32 KiB block boundary: FIRST at the end of block 0, LAST in block 1. */
  function splitLog(record: Uint8Array, firstPart: number): Uint8Array {
    const file = new Uint8Array(32 * 1024 + 7 + record.length);
    const header = (at: number, length: number, type: number) => file.set([0, 0, 0, 0, length & 0xff, length >> 8, type], at);
    const start = 32 * 1024 - 7 - firstPart;
    // A whole record before it fills block 0 up to where the split one starts.
    header(0, start - 7, 1);
    header(start, firstPart, 2);
    file.set(record.subarray(0, firstPart), start + 7);
    header(32 * 1024, record.length - firstPart, 4);
    file.set(record.subarray(firstPart), 32 * 1024 + 7);
    return file;
  }

  it('puts a record split across blocks back together', () => {
    const secret = bytes('syt_YWxpY2U_secretsecret_1234');
    const file = splitLog(secret, 10);
    expect(contains(file, secret)).toBe(false);
    expect(logRecords(file).some((record) => contains(record, secret))).toBe(true);
  });
});

describe('needles', () => {
  it('look for text in UTF-8 and UTF-16LE, and for raw bytes', () => {
    const utf16 = new Uint8Array(Buffer.from('xx secret yy', 'utf16le'));
    expect(needlesOf(['secret']).some((n) => contains(utf16, n))).toBe(true);
    expect(needlesOf([], new Uint8Array([1, 2, 3])).some((n) => contains(new Uint8Array([0, 1, 2, 3, 4]), n))).toBe(true);
  });
});
