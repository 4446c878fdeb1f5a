/** Zips that lie, built in microseconds: for the capped artifact reader's tests and its benchmark (no bench of its own). */
import { constants, deflateRawSync } from "node:zlib";

export const MIB = 1024 * 1024;

/**
 * A deflate stream that inflates to `mib` MiB of spaces, built in microseconds: one compressed
 * MiB ending on a byte boundary (sync flush), repeated, then an empty final block.
 */
export function bombStream(mib: number): Uint8Array {
  const part = deflateRawSync(Buffer.alloc(MIB, 0x20), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mib }, () => part), Buffer.from([0x03, 0x00])]);
}

/** A one-entry zip around deflated bytes that claims whatever uncompressed size it is told to. */
export function zipAround(name: string, deflated: Uint8Array, claimedSize: number, streamed = false): Uint8Array {
  const n = Buffer.from(name);
  const flags = streamed ? 8 : 0; // bit 3: the sizes follow the data, in a data descriptor
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(streamed ? 0 : deflated.length, 18);
  local.writeUInt32LE(streamed ? 0 : claimedSize, 22);
  local.writeUInt16LE(n.length, 26);
  const descriptor = Buffer.alloc(streamed ? 16 : 0);
  if (streamed) {
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(deflated.length, 8);
    descriptor.writeUInt32LE(claimedSize, 12);
  }
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(claimedSize, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(local.length + n.length + deflated.length + descriptor.length, 16);
  return Buffer.concat([local, n, deflated, descriptor, central, n, end]);
}
