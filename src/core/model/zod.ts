// zod for every schema in src: `zod/mini` (its functions tree-shake; classic zod's methods keep ~100 KB of it in
// main.js whatever we use) with its English messages. zod/mini loads no locale by itself, so without this every
// reason we show ("not a valid Claude conversation: …: Invalid input: expected string, received number") would
// read "Invalid input". Every schema file imports zod through here (lint-enforced), so the locale is set in each
// realm that parses: the plugin, the CLI, the reader's Web Worker and thread. Only the English module is imported:
// the `locales` namespace would bring every language into the bundle.
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());

export * from "zod/mini";
