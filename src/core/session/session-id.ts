/** Session ids: `YYYYMMDD_HHMMSS` in local time. */

const ID_PATTERN = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

function pad(n: number, width = 2): string {
	return String(n).padStart(width, "0");
}

/** The id for a moment, in local time. */
export function formatSessionId(date: Date): string {
	return (
		`${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1)}${pad(date.getDate())}_` +
		`${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
	);
}

/** The local time an id stands for, or null when the id is malformed or not a real date (e.g. 20250230_...). */
export function parseSessionId(id: string): Date | null {
	const m = ID_PATTERN.exec(id);
	if (!m) return null;
	const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
	const date = new Date(year, month - 1, day, hour, minute, second);
	// Date rolls over invalid values (Feb 30 → Mar 2); a real date survives the round trip. A local time that
	// does not exist (skipped by a DST change) also fails here, which is right: we never generate one.
	if (
		date.getFullYear() !== year ||
		date.getMonth() !== month - 1 ||
		date.getDate() !== day ||
		date.getHours() !== hour ||
		date.getMinutes() !== minute ||
		date.getSeconds() !== second
	) {
		return null;
	}
	return date;
}

export function isValidSessionId(id: string): boolean {
	return parseSessionId(id) !== null;
}

/**
 * The first free id at or after `date`: when the id of that second is taken, the next second, and so on.
 * `isTaken` is asked for each candidate.
 */
export async function nextFreeSessionId(date: Date, isTaken: (id: string) => Promise<boolean>, maxTries = 3600): Promise<string> {
	const base = new Date(date.getTime());
	base.setMilliseconds(0);
	for (let i = 0; i < maxTries; i++) {
		const id = formatSessionId(new Date(base.getTime() + i * 1000));
		if (!(await isTaken(id))) return id;
	}
	throw new Error(`No free session id within ${maxTries} seconds after ${formatSessionId(base)}`);
}
