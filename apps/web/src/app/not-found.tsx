import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p className="lead">There is nothing at this address. It may have been mistyped, or what it showed may have been deleted.</p>
      <p>
        <Link href="/">Go to the start page</Link> or <Link href="/keys">your API keys</Link>.
      </p>
    </>
  );
}
