import { createHash } from "node:crypto";
import type { Sha256Text } from "../core/ports/sha256";

/** The Sha256Text port on node:crypto: one native call per note (Node's Web Crypto costs far more per call). */
export const nodeSha256: Sha256Text = (text) => createHash("sha256").update(text, "utf8").digest("hex");
