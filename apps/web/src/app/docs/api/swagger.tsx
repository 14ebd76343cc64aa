"use client";

import Script from "next/script";
import { useEffect, useRef } from "react";

import { mendSwaggerMarkup } from "./swagger-repairs.ts";

declare global {
  interface Window {
    SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
  }
}

/** Swagger UI over the generated document; requests go to this origin with the session cookie. */
export function Swagger() {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => (frame.current ? mendSwaggerMarkup(frame.current) : undefined), []);

  return (
    <>
      <link rel="stylesheet" href="/docs/api/assets/swagger-ui.css" />
      {/* light in either scheme: Swagger UI's stylesheet is written for a light page (see .swagger-frame) */}
      <div id="swagger" ref={frame} className="swagger-frame" />
      <Script
        src="/docs/api/assets/swagger-ui-bundle.js"
        strategy="afterInteractive"
        onReady={() => {
          window.SwaggerUIBundle?.({
            url: "/api/v1/openapi.json",
            dom_id: "#swagger",
            // off: each deep link is a link inside an operation's toggle button, a control a keyboard cannot reach (nested-interactive)
            deepLinking: false,
            // send the dashboard's session cookie, so a signed-in person can try requests at once
            withCredentials: true,
            persistAuthorization: true,
          });
        }}
      />
    </>
  );
}
