import type { ByteSource } from "../core/app/types";

/**
 * The desktop's real files, where there are any: Electron tells the path of a picked File (`webUtils.getPathForFile`),
 * and Node's `fs` (Obsidian desktop's renderer has `require`) opens it again after a restart. Everything is
 * feature-detected: on mobile, in a browser, or where Electron lacks it, there is no path and the session's Resume asks
 * the user to pick the file again.
 */

type Require = (id: string) => unknown;

function hostRequire(): Require | null {
	if (typeof window === "undefined") return null; // a worker, or Node without a DOM
	const req = (window as unknown as { require?: unknown }).require;
	return typeof req === "function" ? (req as Require) : null;
}

interface WebUtils {
	getPathForFile(file: File): string;
}

/** The picked file's path on disk, or undefined (mobile, a browser, a File made in memory, an older Electron). */
export function filePathOf(file: Blob): string | undefined {
	if (typeof File === "undefined" || !(file instanceof File)) return undefined;
	try {
		const electron = hostRequire()?.("electron") as { webUtils?: WebUtils } | undefined;
		const path = electron?.webUtils?.getPathForFile?.(file);
		if (typeof path === "string" && path !== "") return path;
	} catch {
		// no Electron here
	}
	// Electron before 32 put the path on the File itself.
	const legacy = (file as { path?: unknown }).path;
	return typeof legacy === "string" && legacy !== "" ? legacy : undefined;
}

interface FileHandle {
	read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
	close(): Promise<void>;
	stat(): Promise<{ size: number }>;
}

interface NodeFs {
	promises: { open(path: string, flags: string): Promise<FileHandle> };
}

/** Node's fs where the host has one (Obsidian desktop), else null. */
export function nodeFs(): NodeFs | null {
	try {
		const fs = hostRequire()?.("fs") as NodeFs | undefined;
		return fs?.promises?.open ? fs : null;
	} catch {
		return null;
	}
}

/** A file on disk by its path (desktop only), read by range; closed with `close()`. */
export class PathByteSource implements ByteSource {
	private constructor(
		readonly name: string,
		readonly path: string,
		readonly size: number,
		private readonly handle: FileHandle,
	) {}

	/** Opens `path` as the input called `name`; null where files cannot be opened by path or it is not there. */
	static async open(path: string, name: string): Promise<PathByteSource | null> {
		const fs = nodeFs();
		if (!fs) return null;
		try {
			const handle = await fs.promises.open(path, "r");
			const { size } = await handle.stat();
			return new PathByteSource(name, path, size, handle);
		} catch {
			return null;
		}
	}

	async read(offset: number, length: number): Promise<Uint8Array> {
		if (offset >= this.size || length <= 0) return new Uint8Array(0);
		const want = Math.min(length, this.size - offset);
		const buffer = new Uint8Array(want);
		let got = 0;
		while (got < want) {
			const { bytesRead } = await this.handle.read(buffer, got, want - got, offset + got);
			if (bytesRead === 0) break;
			got += bytesRead;
		}
		return got === want ? buffer : buffer.subarray(0, got);
	}

	async close(): Promise<void> {
		await this.handle.close().catch(() => undefined);
	}
}
