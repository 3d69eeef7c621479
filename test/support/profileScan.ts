import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads a browser profile the way a thief with the disk would, for the secrets-containment test:
 * every file as raw bytes, plus what LevelDB (IndexedDB, extension storage) hides from a plain
 * byte search:
 * - `.ldb` tables keep their blocks snappy-compressed: each block is decompressed;
 * - `.log` write-ahead logs cut records into 32 KiB blocks with a 7-byte header between the
 *   pieces: records are put back together, so a secret split by a block boundary is whole again;
 * - Chromium snappy-compresses large IndexedDB values on their own: every value is also tried
 *   as a snappy stream at each of its first offsets (where Chromium's envelope ends).
 * It does not see inside anything encrypted (the point of sealing), nor formats other than these
 * (e.g. a SQLite database's pages are searched as raw bytes only, which is how SQLite stores text).
 */

/** One readable piece of a file: the raw bytes, a decompressed block, or a reassembled record. */
export interface ScannedPiece {
  file: string;
  what: string;
  bytes: Uint8Array;
}

export async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  await walk(root);
  return files;
}

/** Every readable piece of every file under `root` (files that vanish meanwhile are skipped). */
export async function readProfile(root: string): Promise<{ files: number; pieces: ScannedPiece[] }> {
  const files = await listFiles(root);
  const pieces: ScannedPiece[] = [];
  let read = 0;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(file));
    } catch {
      continue;
    }
    read += 1;
    pieces.push({ file, what: 'raw', bytes });
    const name = path.basename(file);
    try {
      if (name.endsWith('.ldb') || name.endsWith('.sst'))
        for (const [i, block] of tableBlocks(bytes).entries()) pieces.push(...withValues(file, `block ${i}`, block));
      else if (/^\d+\.log$/.test(name))
        for (const [i, record] of logRecords(bytes).entries()) pieces.push(...withValues(file, `record ${i}`, record));
    } catch (error) {
      // A table being rewritten while we read it: its raw bytes are still searched.
      pieces.push({ file, what: `unparsed: ${(error as Error).message}`, bytes: new Uint8Array() });
    }
  }
  return { files: read, pieces };
}

/** The piece itself, plus any snappy stream that starts in its first bytes (compressed IndexedDB values). */
function withValues(file: string, what: string, bytes: Uint8Array): ScannedPiece[] {
  const pieces = [{ file, what, bytes }];
  for (let offset = 0; offset < Math.min(64, bytes.length); offset += 1) {
    const inflated = trySnappy(bytes.subarray(offset));
    if (inflated && inflated.length >= 64) pieces.push({ file, what: `${what}, snappy at ${offset}`, bytes: inflated });
  }
  return pieces;
}

function trySnappy(bytes: Uint8Array): Uint8Array | undefined {
  try {
    return snappyDecompress(bytes);
  } catch {
    return undefined;
  }
}

function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && shift < 64; i += 1) {
    const byte = bytes[i] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new Error('bad varint');
}

/** Snappy's raw format (https://github.com/google/snappy/blob/main/format_description.txt). */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  const [length, start] = varint(input, 0);
  if (length > 64 * 1024 * 1024) throw new Error('implausible length');
  const out = new Uint8Array(length);
  let o = 0;
  let i = start;
  while (i < input.length) {
    const tag = input[i] ?? 0;
    i += 1;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        len = 0;
        for (let b = 0; b < extra; b += 1) len |= (input[i + b] ?? 0) << (8 * b);
        i += extra;
      }
      len += 1;
      if (i + len > input.length || o + len > length) throw new Error('literal out of range');
      out.set(input.subarray(i, i + len), o);
      i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[i] ?? 0);
      i += 1;
    } else if (kind === 2) {
      len = (tag >>> 2) + 1;
      offset = (input[i] ?? 0) | ((input[i + 1] ?? 0) << 8);
      i += 2;
    } else {
      len = (tag >>> 2) + 1;
      offset = ((input[i] ?? 0) | ((input[i + 1] ?? 0) << 8) | ((input[i + 2] ?? 0) << 16) | ((input[i + 3] ?? 0) << 24)) >>> 0;
      i += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw new Error('copy out of range');
    for (let b = 0; b < len; b += 1, o += 1) out[o] = out[o - offset] ?? 0;
  }
  if (o !== length) throw new Error('short output');
  return out;
}

/** The data blocks of a LevelDB table, decompressed (https://github.com/google/leveldb/blob/main/doc/table_format.md). */
export function tableBlocks(file: Uint8Array): Uint8Array[] {
  if (file.length < 48) throw new Error('no footer');
  const footer = file.subarray(file.length - 48);
  const [, afterMeta] = varint(footer, 0);
  const [, afterMetaSize] = varint(footer, afterMeta);
  const [indexOffset, afterIndex] = varint(footer, afterMetaSize);
  const [indexSize] = varint(footer, afterIndex);
  const index = readBlock(file, indexOffset, indexSize);
  return blockEntries(index).map(({ value }) => {
    const [offset, next] = varint(value, 0);
    const [size] = varint(value, next);
    return readBlock(file, offset, size);
  });
}

function readBlock(file: Uint8Array, offset: number, size: number): Uint8Array {
  const contents = file.subarray(offset, offset + size);
  const type = file[offset + size];
  if (type === 0) return contents;
  if (type === 1) return snappyDecompress(contents);
  throw new Error(`unknown block compression ${String(type)}`);
}

/** A block's key/value pairs (keys are prefix-compressed against the previous key). */
function blockEntries(block: Uint8Array): { key: Uint8Array; value: Uint8Array }[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = view.getUint32(block.length - 4, true);
  const end = block.length - 4 - 4 * restarts;
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  let key = new Uint8Array();
  let at = 0;
  while (at < end) {
    const [shared, a] = varint(block, at);
    const [unshared, b] = varint(block, a);
    const [valueLength, c] = varint(block, b);
    const next = new Uint8Array(shared + unshared);
    next.set(key.subarray(0, shared));
    next.set(block.subarray(c, c + unshared), shared);
    key = next;
    entries.push({ key, value: block.subarray(c + unshared, c + unshared + valueLength) });
    at = c + unshared + valueLength;
  }
  return entries;
}

/** The records of a LevelDB log, their fragments joined (https://github.com/google/leveldb/blob/main/doc/log_format.md). */
export function logRecords(file: Uint8Array): Uint8Array[] {
  const BLOCK = 32 * 1024;
  const records: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  for (let block = 0; block < file.length; block += BLOCK) {
    let at = block;
    const blockEnd = Math.min(block + BLOCK, file.length);
    while (at + 7 <= blockEnd) {
      const length = (file[at + 4] ?? 0) | ((file[at + 5] ?? 0) << 8);
      const type = file[at + 6];
      if (type === 0 && length === 0) break; // zero padding to the end of the block
      parts.push(file.subarray(at + 7, at + 7 + length));
      at += 7 + length;
      if (type === 1 || type === 4) {
        // FULL or LAST: one record complete.
        records.push(concat(parts));
        parts = [];
      }
    }
  }
  return records;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The forms in which a secret could sit in bytes: as given, each text form in UTF-8 and in
 * UTF-16LE (V8 and Chromium store two-byte strings that way), and for a binary secret its bytes.
 */
export function needlesOf(forms: readonly string[], binary?: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const form of forms) {
    out.push(new TextEncoder().encode(form));
    out.push(new Uint8Array(Buffer.from(form, 'utf16le')));
  }
  if (binary) out.push(binary);
  return out;
}

export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return (
    needle.length > 0 &&
    Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
      Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
    ) >= 0
  );
}
