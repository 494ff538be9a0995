import { crc32 } from "../../src/core/import/extract/zip-archive";

/** A zip of stored entries (no compression): local headers, the data, then the central directory. */
export function storedZip(entries: [string, Uint8Array][]): Uint8Array {
	const enc = new TextEncoder();
	const parts: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	for (const [name, data] of entries) {
		const n = enc.encode(name);
		const crc = crc32(data);
		const local = new DataView(new ArrayBuffer(30));
		local.setUint32(0, 0x04034b50, true);
		local.setUint16(4, 20, true);
		local.setUint16(6, 0x0800, true); // UTF-8 names
		local.setUint32(14, crc, true);
		local.setUint32(18, data.length, true);
		local.setUint32(22, data.length, true);
		local.setUint16(26, n.length, true);
		parts.push(new Uint8Array(local.buffer), n, data);
		const dir = new DataView(new ArrayBuffer(46));
		dir.setUint32(0, 0x02014b50, true);
		dir.setUint16(4, 20, true);
		dir.setUint16(6, 20, true);
		dir.setUint16(8, 0x0800, true);
		dir.setUint32(16, crc, true);
		dir.setUint32(20, data.length, true);
		dir.setUint32(24, data.length, true);
		dir.setUint16(28, n.length, true);
		dir.setUint32(42, offset, true);
		central.push(new Uint8Array(dir.buffer), n);
		offset += 30 + n.length + data.length;
	}
	const dirBytes = central.reduce((t, p) => t + p.length, 0);
	// More entries than 16 bits count: the zip64 end record and its locator carry the count, the classic record 0xffff.
	const zip64 = entries.length > 0xffff;
	const tail: Uint8Array[] = [];
	if (zip64) {
		const record = new DataView(new ArrayBuffer(56));
		record.setUint32(0, 0x06064b50, true);
		record.setBigUint64(4, 44n, true);
		record.setUint16(12, 45, true);
		record.setUint16(14, 45, true);
		record.setBigUint64(24, BigInt(entries.length), true);
		record.setBigUint64(32, BigInt(entries.length), true);
		record.setBigUint64(40, BigInt(dirBytes), true);
		record.setBigUint64(48, BigInt(offset), true);
		const locator = new DataView(new ArrayBuffer(20));
		locator.setUint32(0, 0x07064b50, true);
		locator.setBigUint64(8, BigInt(offset + dirBytes), true);
		locator.setUint32(16, 1, true);
		tail.push(new Uint8Array(record.buffer), new Uint8Array(locator.buffer));
	}
	const end = new DataView(new ArrayBuffer(22));
	end.setUint32(0, 0x06054b50, true);
	end.setUint16(8, zip64 ? 0xffff : entries.length, true);
	end.setUint16(10, zip64 ? 0xffff : entries.length, true);
	end.setUint32(12, dirBytes, true);
	end.setUint32(16, offset, true);
	const all = [...parts, ...central, ...tail, new Uint8Array(end.buffer)];
	const out = new Uint8Array(all.reduce((t, p) => t + p.length, 0));
	let at = 0;
	for (const p of all) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}
