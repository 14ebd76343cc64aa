"use client";

import { useSyncExternalStore } from "react";

const DARK = "(prefers-color-scheme: dark)";

function subscribe(onChange: () => void) {
  const query = window.matchMedia(DARK);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

const browserScheme = () => (window.matchMedia(DARK).matches ? "dark" : "light");
// the server cannot know the viewer's scheme
const serverScheme = () => null;

/** The system's colour scheme, following changes; null on the server and during hydration. For what CSS cannot restyle by itself, like a canvas. */
export function useColorScheme(): "light" | "dark" | null {
  return useSyncExternalStore(subscribe, browserScheme, serverScheme);
}
