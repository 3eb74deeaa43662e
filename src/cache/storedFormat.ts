import { CacheDocument, Stamps } from "./cacheDocument";

/**
 * The stored secret: a versioned envelope, so that a later format can migrate it instead of
 * signing everyone out. Version 1: `{ version: 1, msal: <MSAL's cache>, removed: {}, added: {},
 * stamps: {} }` (see cacheDocument.ts). Fields may be added within a version when a reader that
 * ignores them still works (`stamps` is read as empty when absent); anything else needs a new one.
 */
export const FORMAT_VERSION = 1;
/** Far above a real cache (about 8 KB an account); a larger value is not ours or is damaged. */
export const MAX_STORED_BYTES = 16 * 1024 * 1024;
const MSAL_SECTIONS = ["Account", "IdToken", "AccessToken", "RefreshToken", "AppMetadata"];

export type Decoded = { ok: true; document: CacheDocument } | { ok: false; reason: string };

export function encode(document: CacheDocument): string {
  return JSON.stringify({ version: FORMAT_VERSION, msal: document.msal, removed: document.removed, added: document.added, stamps: document.stamps });
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
  const { msal, removed = {}, added = {}, stamps = {} } = parsed;
  if (!isObject(msal) || MSAL_SECTIONS.some((s) => msal[s] !== undefined && !isObject(msal[s])) || Object.values(msal).some((s) => !isObject(s))) {
    return { ok: false, reason: "its MSAL cache is not in MSAL's schema" };
  }
  if (!isTimes(removed) || !isTimes(added)) {
    return { ok: false, reason: "its account sign-in and sign-out times are damaged" };
  }
  if (!isStamps(stamps)) {
    return { ok: false, reason: "its entry stamps are damaged" };
  }
  return { ok: true, document: { msal: msal as CacheDocument["msal"], removed, added, stamps } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStamps(value: unknown): value is Stamps {
  return isObject(value) && Object.values(value).every((section) => isObject(section) && Object.values(section).every(isStamp));
}

function isStamp(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    (value.length === 2 || value.length === 3) &&
    typeof value[0] === "number" &&
    typeof value[1] === "string" &&
    (value.length === 2 || typeof value[2] === "number")
  );
}

function isTimes(value: unknown): value is Record<string, number> {
  return isObject(value) && Object.values(value).every((t) => typeof t === "number" && Number.isFinite(t));
}
