import type { Metadata } from "next";

import { currentUser } from "~/server/context.ts";

import { Swagger } from "./swagger.tsx";

import "./swagger-contrast.css";
import "./swagger-targets.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "REST API reference" };

export default async function ApiReferencePage() {
  const user = await currentUser();
  return (
    <>
      <h1>REST API reference</h1>
      <p className="lead">
        Generated from the same schemas that validate requests (<a href="/api/v1/openapi.json">openapi.json</a>).{" "}
        {user
          ? "You are signed in: “Try it out” sends requests with your session."
          : "Log in to try requests with your session, or use “Authorize” with a token or an ak_ key."}
      </p>
      <Swagger />
    </>
  );
}
