"use client";

import { useSyncExternalStore } from "react";

// one timer for every time on the page, running while any is shown
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(onTick: () => void) {
  listeners.add(onTick);
  timer ??= setInterval(() => listeners.forEach((listener) => listener()), 15_000);
  return () => {
    listeners.delete(onTick);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

// whole seconds: unchanged between the calls of one render, as useSyncExternalStore needs
const browserNow = () => Math.floor(Date.now() / 1000) * 1000;
// the server cannot know the viewer's clock or zone: null until hydrated
const serverNow = () => null;

/** The viewer's clock, ticking every 15 s; null on the server and during hydration. */
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, browserNow, serverNow);
}
