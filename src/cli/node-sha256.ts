import { createHash } from "node:crypto";
import type { Sha256Text } from "../core/app/types";
import { utf8View } from "./utf8-scratch";

/**
 * The Sha256Text port on node:crypto: one native call per note (Node's Web Crypto costs far more per call), on the
 * text encoded into the reused buffer (see utf8-scratch.ts).
 */
export const nodeSha256: Sha256Text = (text) => createHash("sha256").update(utf8View(text)).digest("hex");
