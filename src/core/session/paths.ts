import type { PhaseType, StageType } from "../model/status";

/** Where sessions live, relative to the vault root. */
export const SESSION_ROOT = ".staging/@session";

export const SESSION_FILE = "session.json";
export const PHASE_FILE = "phase.json";
export const PIPELINE_STAGES_FILE = "pipeline_stages.jsonl";
export const STEPS_FILE = "steps.jsonl";

export function sessionDir(sessionId: string): string {
	return `${SESSION_ROOT}/${sessionId}`;
}

export function sessionFile(sessionId: string): string {
	return `${sessionDir(sessionId)}/${SESSION_FILE}`;
}

export function phaseDir(sessionId: string, phase: PhaseType): string {
	return `${sessionDir(sessionId)}/${phase}`;
}

export function phaseFile(sessionId: string, phase: PhaseType): string {
	return `${phaseDir(sessionId, phase)}/${PHASE_FILE}`;
}

/** `<session>/<phase>/pipeline_stages.jsonl`: one record per item per stage. */
export function pipelineStagesFile(sessionId: string, phase: PhaseType): string {
	return `${phaseDir(sessionId, phase)}/${PIPELINE_STAGES_FILE}`;
}

export function stageDir(sessionId: string, phase: PhaseType, stage: StageType): string {
	return `${phaseDir(sessionId, phase)}/${stage}`;
}

/** `<stage>/steps.jsonl`: one record per step per item. */
export function stepsFile(sessionId: string, phase: PhaseType, stage: StageType): string {
	return `${stageDir(sessionId, phase, stage)}/${STEPS_FILE}`;
}

/** `<stage>/output/` (every stage has one). */
export function stageOutputDir(sessionId: string, phase: PhaseType, stage: StageType): string {
	return `${stageDir(sessionId, phase, stage)}/output`;
}

/** `extract/input/` (only extract has an input folder). */
export function extractInputDir(sessionId: string, phase: PhaseType): string {
	return `${stageDir(sessionId, phase, "extract")}/input`;
}

/** The folders a new phase gets, relative to the phase folder, in creation order. */
export const PHASE_SUBFOLDERS: readonly string[] = ["extract/input", "extract/output", "transform/output", "load/output"];
