import * as z from "./zod";
import { CountsSchema } from "./counts";
import { PhaseStatusSchema, SessionStatusSchema } from "./status";

/** What session.json keeps about each phase that ran in the session. */
export const PhaseSummarySchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		status: PhaseStatusSchema(),
		counts: CountsSchema(),
		/** ISO 8601. */
		completed_at: z.optional(z.string()),
		error: z.optional(z.string()),
	}),
);
export type PhaseSummary = z.infer<ReturnType<typeof PhaseSummarySchema>>;

/** `.staging/@session/<session_id>/session.json`. Times are ISO 8601 (UTC); the id is local time. */
export const SessionSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		session_id: z.string().check(z.regex(/^\d{8}_\d{6}$/, "expected YYYYMMDD_HHMMSS")),
		created_at: z.string(),
		updated_at: z.string(),
		status: SessionStatusSchema(),
		phases: z.object({
			import: z.optional(PhaseSummarySchema()),
			organize: z.optional(PhaseSummarySchema()),
		}),
		debug_mode: z.boolean(),
		/** The export's provider (e.g. `claude`, `chatgpt`) for import sessions. */
		provider: z.optional(z.string()),
		/** ISO 8601, set each time the session is resumed. */
		resumed_at: z.optional(z.string()),
	}),
);
export type Session = z.infer<ReturnType<typeof SessionSchema>>;
export type SessionPhases = Session["phases"];
