/**
 * The stored secret: a versioned envelope around MSAL's serialized cache, so that a later format
 * can migrate it instead of signing everyone out.
 */
export const FORMAT_VERSION = 1;
/** Far above a real cache (about 8 KB an account); a larger value is not ours or is damaged. */
export const MAX_STORED_BYTES = 16 * 1024 * 1024;
const MSAL_SECTIONS = ["Account", "IdToken", "AccessToken", "RefreshToken", "AppMetadata"];

export type Decoded = { ok: true; msalCache: string } | { ok: false; reason: string };

export function encode(msalCache: string): string {
  return `{"version":${FORMAT_VERSION},"msal":${msalCache}}`;
}

export function decode(stored: string): Decoded {
  if (stored.length > MAX_STORED_BYTES) {
    return { ok: false, reason: `it is ${stored.length} bytes long, over the limit of ${MAX_STORED_BYTES}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return { ok: false, reason: "it is not valid JSON (truncated or damaged)" };
  }
  if (!isObject(parsed)) {
    return { ok: false, reason: "it is not a JSON object" };
  }
  if (parsed.version !== FORMAT_VERSION) {
    return { ok: false, reason: `its format version ${JSON.stringify(parsed.version)} is unknown (this version reads ${FORMAT_VERSION})` };
  }
  const msal = parsed.msal;
  if (!isObject(msal) || MSAL_SECTIONS.some((s) => msal[s] !== undefined && !isObject(msal[s]))) {
    return { ok: false, reason: "its MSAL cache is not in MSAL's schema" };
  }
  return { ok: true, msalCache: JSON.stringify(msal) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
