import { z } from "zod";

// Runs in the browser before the app's code. The pages' Content-Security-Policy
// has no 'unsafe-eval', and zod would probe for eval with `new Function` as
// soon as a schema is built: the browser reports that as a violation even
// though zod catches the refusal. Jitless parsing never asks.
z.config({ jitless: true });
