import { DEFAULT_USERS, FakeEntraOptions, FakeUser, TENANT_ID } from "../fakeEntra";
import { DesktopStorageOptions } from "./desktopSecretStorage";

/** The model's settings, shared by the mocha test and the survey script; all overridable by env. */
const CAROL: FakeUser = { username: "carol@contoso.test", name: "Carol Clark", oid: "3a7e9c1b-5d2f-4b8a-8e6c-1f3d5b7a9c2e", tid: TENANT_ID };
export const USERS: readonly FakeUser[] = [...DEFAULT_USERS, CAROL];

const num = (name: string, fallback: number): number => (process.env[name] !== undefined && process.env[name] !== "" ? Number(process.env[name]) : fallback);

/**
 * Desktop SecretStorage timing: a call takes 0–MODEL_LATENCY_MS, a change event reaches each window
 * after 0–MODEL_EVENT_DELAY_MS (code-server measured ~16 ms in one window).
 */
export const STORAGE: DesktopStorageOptions = { maxCallLatencyMs: num("MODEL_LATENCY_MS", 4), maxEventDelayMs: num("MODEL_EVENT_DELAY_MS", 20) };

/** Access tokens live an hour: silent calls hit the cache unless forced or for a new resource. */
export const FAKE_OPTIONS: FakeEntraOptions = { users: [...USERS], accessTokenLifetimeSec: 3600, deviceCodeIntervalSec: 0 };

/** Device code (~15 ms a sign-in here) unless MODEL_SIGNIN=loopback (~120–300 ms). */
export const SIGN_IN_FLOW: "deviceCode" | "loopback" = process.env.MODEL_SIGNIN === "loopback" ? "loopback" : "deviceCode";

export const SCHEDULES = num("MODEL_SCHEDULES", 2000);
export const BASELINE_SCHEDULES = num("MODEL_BASELINE_SCHEDULES", 200);
export const SEED = process.env.MODEL_SEED !== undefined && process.env.MODEL_SEED !== "" ? Number(process.env.MODEL_SEED) : undefined;
export const PATH = process.env.MODEL_PATH || undefined;
/** Most steps in one schedule (after a prefix of up to one sign-in per user). */
export const MAX_STEPS = num("MODEL_MAX_STEPS", 8);
