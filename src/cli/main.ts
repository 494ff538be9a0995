// Entry of dist/cli.js (`knowledge-etl`). All logic is in cli.ts, which tests call in-process.
import { main } from "./cli";
import { processIo } from "./output";

main(process.argv.slice(2), processIo()).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	},
);
