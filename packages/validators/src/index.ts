export * from "./api-keys.ts";
export * from "./auth.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export { LIMITS } from "./limits.ts";
export { textField, type TextRules } from "./text.ts";
