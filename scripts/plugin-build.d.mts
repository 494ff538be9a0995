import type { BuildOptions } from "esbuild";

export function pluginBuildOptions(options?: { entry?: string; outfile?: string; production?: boolean; logLevel?: BuildOptions["logLevel"] }): BuildOptions;
