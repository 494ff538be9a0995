/** Which session "Apply organize plan" and "Undo organize session" act on (null: the command is not offered). */
export interface OrganizeTargets {
	apply: string | null;
	undo: string | null;
}

export const NO_ORGANIZE_TARGETS: OrganizeTargets = { apply: null, undo: null };
