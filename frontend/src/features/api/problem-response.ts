/** An RFC 9457 problem document from the web app's own routes (the same shape as the API's). */
import { NextResponse } from 'next/server';

export const problemResponse = (status: number, code: string) =>
  NextResponse.json(
    { type: `urn:custos:problem:${code}`, status, code, title: code },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
