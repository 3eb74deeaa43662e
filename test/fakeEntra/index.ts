// Public entry point of the fake Microsoft Entra ID used by integration tests.
export { startFakeEntra } from "./server";
export { allAuthorizeRequests, issuedSecrets } from "./issued";
export { TENANT_ID, CONSUMERS_TENANT_ID, DEFAULT_USERS } from "./tenants";
export type {
  CompleteAuthorizeOptions,
  FakeEntra,
  FakeEntraOptions,
  FakeRequestRecord,
  FakeUser,
  FaultEndpoint,
  FaultSpec,
  RedirectResult,
} from "./types";
