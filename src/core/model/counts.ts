import * as z from "./zod";

/**
 * Item counts of a stage or phase. `total` = success + failed + skipped + (review ?? 0) + (pending ?? 0).
 * `review` items are done but flagged for a person (see the LLM transform); they are not in `success`.
 * `pending` items were read but not finished when the run stopped (a resume does them): not failures.
 */
export const CountsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		total: z.number().check(z.int(), z.nonnegative()),
		success: z.number().check(z.int(), z.nonnegative()),
		failed: z.number().check(z.int(), z.nonnegative()),
		skipped: z.number().check(z.int(), z.nonnegative()),
		review: z.optional(z.number().check(z.int(), z.nonnegative())),
		pending: z.optional(z.number().check(z.int(), z.nonnegative())),
	}),
);
export type Counts = z.infer<ReturnType<typeof CountsSchema>>;

export function emptyCounts(): Counts {
	return { total: 0, success: 0, failed: 0, skipped: 0 };
}

/** Sum of several counts; `review` and `pending` are present only when one of them has it. */
export function addCounts(...all: Counts[]): Counts {
	const sum = emptyCounts();
	let hasReview = false;
	let hasPending = false;
	for (const c of all) {
		sum.total += c.total;
		sum.success += c.success;
		sum.failed += c.failed;
		sum.skipped += c.skipped;
		if (c.review !== undefined) {
			hasReview = true;
			sum.review = (sum.review ?? 0) + c.review;
		}
		if (c.pending !== undefined) {
			hasPending = true;
			sum.pending = (sum.pending ?? 0) + c.pending;
		}
	}
	if (!hasReview) delete sum.review;
	if (!hasPending) delete sum.pending;
	return sum;
}
