import { z } from "zod";

/** The documented response envelope: `{data, message, status}`. */
export function ZSuccessEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data, message: z.string(), status: z.literal("success") });
}

/** Keysmith's failed envelope; `errors` adds per-field detail to bad input. */
export const ZFailedEnvelope = z.object({
  data: z.null(),
  message: z.string(),
  status: z.literal("failed"),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export type FailedEnvelope = z.infer<typeof ZFailedEnvelope>;
