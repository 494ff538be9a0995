import { describe, expect, it } from "vitest";
import {
	EmptyResponseError,
	HttpStatusError,
	NetworkError,
	TimeoutError,
	ValidationError,
	isRetryableError,
	parseRetryAfter,
} from "../../../src/core/retry/errors";
import { backoffDelay, withRetry } from "../../../src/core/retry/with-retry";
import { memoryLogger } from "../_support/memory-logger";

const fast = { minTimeoutMs: 1, maxTimeoutMs: 5, randomize: false } as const;

/** Runs withRetry with fn failing with `errors` in turn, then succeeding; returns attempts made. */
async function attemptsFor(errors: Error[], retries = 3) {
	let attempts = 0;
	const logger = memoryLogger();
	const result = await withRetry(
		async (attempt) => {
			attempts++;
			expect(attempt).toBe(attempts);
			const e = errors[attempt - 1];
			if (e !== undefined) throw e;
			return "ok";
		},
		{ ...fast, retries, logger, label: "test call" },
	).catch((e: unknown) => e);
	return { attempts, result, logger };
}

describe("isRetryableError", () => {
	it.each<[string, unknown, boolean]>([
		["NetworkError", new NetworkError("ECONNRESET"), true],
		["TimeoutError", new TimeoutError(), true],
		["EmptyResponseError", new EmptyResponseError(), true],
		["HTTP 429", new HttpStatusError(429, "Too many"), true],
		["HTTP 500", new HttpStatusError(500, "boom"), true],
		["HTTP 503", new HttpStatusError(503, "down"), true],
		["HTTP 400", new HttpStatusError(400, "bad"), false],
		["HTTP 401", new HttpStatusError(401, "auth"), false],
		["HTTP 404", new HttpStatusError(404, "no model"), false],
		["ValidationError", new ValidationError("bad reply"), false],
		["plain Error", new Error("bug"), false],
		["TypeError", new TypeError("x is undefined"), false],
		["a string", "oops", false],
	])("%s → %s", (_n, error, expected) => {
		expect(isRetryableError(error)).toBe(expected);
	});
});

describe("withRetry", () => {
	it("returns at once on success", async () => {
		expect(await attemptsFor([])).toMatchObject({ attempts: 1, result: "ok" });
	});

	it.each([
		["NetworkError", new NetworkError("refused")],
		["TimeoutError", new TimeoutError()],
		["EmptyResponseError", new EmptyResponseError()],
		["HTTP 429", new HttpStatusError(429, "slow down")],
		["HTTP 502", new HttpStatusError(502, "bad gateway")],
	])("retries %s and succeeds on the third attempt", async (_n, error) => {
		const { attempts, result, logger } = await attemptsFor([error, error]);
		expect(result).toBe("ok");
		expect(attempts).toBe(3);
		expect(logger.lines.filter((l) => l.level === "warn")).toHaveLength(2);
		expect(logger.lines[0]!.message).toMatch(/test call: attempt 1 failed, retrying in \d+ ms/);
		expect(logger.lines[1]!.context).toMatchObject({ attempt: 2, label: "test call" });
	});

	it("gives up after retries + 1 attempts and throws the last error", async () => {
		const errors = [1, 2, 3, 4, 5].map((n) => new HttpStatusError(500, `boom ${n}`));
		const { attempts, result, logger } = await attemptsFor(errors, 3);
		expect(attempts).toBe(4);
		expect(result).toBe(errors[3]);
		expect(logger.lines.at(-1)!.message).toMatch(/giving up after 4 attempts/);
	});

	it.each([
		["HTTP 400", new HttpStatusError(400, "bad request")],
		["HTTP 404", new HttpStatusError(404, "model not found")],
		["ValidationError", new ValidationError("no JSON")],
		["unknown error", new Error("a bug")],
		["TypeError", new TypeError("undefined is not a function")],
	])("aborts at once on %s", async (_n, error) => {
		const { attempts, result, logger } = await attemptsFor([error, error]);
		expect(attempts).toBe(1);
		expect(result).toBe(error);
		expect(logger.lines[0]!.message).toMatch(/not retried/);
	});

	it("honours Retry-After on 429 (waits at least that long)", async () => {
		const times: number[] = [];
		const logger = memoryLogger();
		await withRetry(
			async () => {
				times.push(performance.now());
				if (times.length === 1) throw new HttpStatusError(429, "later", { retryAfterMs: 120 });
				return 1;
			},
			{ ...fast, logger },
		);
		expect(times).toHaveLength(2);
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(115);
		expect(logger.lines[0]!.context).toMatchObject({ delay_ms: 120, status: 429 });
	});

	it("does not wait for a Retry-After beyond maxRetryAfterMs", async () => {
		let attempts = 0;
		const err = new HttpStatusError(429, "tomorrow", { retryAfterMs: 86_400_000 });
		await expect(
			withRetry(
				async () => {
					attempts++;
					throw err;
				},
				{ ...fast, maxRetryAfterMs: 1000 },
			),
		).rejects.toBe(err);
		expect(attempts).toBe(1);
	});

	it("rejects promptly when aborted during a wait", async () => {
		const controller = new AbortController();
		let attempts = 0;
		const started = performance.now();
		const promise = withRetry(
			async () => {
				attempts++;
				if (attempts === 1) setTimeout(() => controller.abort(new Error("user cancelled")), 20);
				throw new NetworkError("down");
			},
			{ minTimeoutMs: 10_000, maxTimeoutMs: 10_000, randomize: false, signal: controller.signal },
		);
		await expect(promise).rejects.toThrow("user cancelled");
		expect(attempts).toBe(1);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it("does not start when the signal is already aborted", async () => {
		let attempts = 0;
		await expect(
			withRetry(
				async () => {
					attempts++;
					return 1;
				},
				{ signal: AbortSignal.abort(new Error("already")) },
			),
		).rejects.toThrow("already");
		expect(attempts).toBe(0);
	});
});

describe("backoffDelay", () => {
	const opts = { minTimeoutMs: 1000, maxTimeoutMs: 30_000, factor: 2, randomize: false };
	it.each([
		[1, 1000],
		[2, 2000],
		[3, 4000],
		[5, 16_000],
		[6, 30_000],
		[10, 30_000],
	])("retry %i waits %i ms", (retry, ms) => {
		expect(backoffDelay(retry, opts)).toBe(ms);
	});
	it("adds jitter in [1, 2) when randomized", () => {
		expect(backoffDelay(1, { ...opts, randomize: true }, () => 0.5)).toBe(1500);
	});
});

describe("parseRetryAfter", () => {
	const now = new Date("2026-01-01T00:00:00Z");
	it.each<[string | null | undefined, number | undefined]>([
		["120", 120_000],
		["0", 0],
		["1.5", 1500],
		["Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
		["Wed, 31 Dec 2025 23:59:00 GMT", 0],
		["soon", undefined],
		["", undefined],
		[null, undefined],
		[undefined, undefined],
	])("%j → %s", (value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});
});
