export * from "./api-key-list.ts";
export * from "./api-key-update.ts";
export * from "./api-keys.ts";
export * from "./auth.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./key-status.ts";
export { LIMITS } from "./limits.ts";
export { textField, type TextRules } from "./text.ts";
