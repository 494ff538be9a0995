/**
 * SHA-256 of a text's UTF-8 bytes (a lone surrogate counts as U+FFFD, as TextEncoder and Node's Buffer encode it),
 * as lowercase hex. The core's default is `sha256HexAsync` (Web Crypto where the runtime has it, else JavaScript);
 * the CLI passes node:crypto, whose one call is far cheaper than Node's Web Crypto for thousands of small notes.
 */
export type Sha256Text = (text: string) => string | Promise<string>;
