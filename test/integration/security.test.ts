import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { signInWithLoopback } from "../../src/flows/loopbackFlow";
import { Logger } from "../../src/logging/logger";
import { FakeEntra, startFakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { makeClient, SCOPE, signInLoopback } from "../support/clients";
import { findLeaks } from "../support/leakScan";
import { MemorySecretStorage, settle } from "../support/memorySecretStore";
import { TestSignal } from "../support/signal";

/** Local addresses listening on `port`, from the kernel's socket tables (Linux). */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(1)) {
      const [, local, , st] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local.split(":");
      if (st === "0A" && parseInt(hexPort, 16) === port) {
        addresses.push(v6 ? hexAddress : hexAddress.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join("."));
      }
    }
  }
  return addresses;
}

describe("security", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  beforeEach(async () => (fake = await startFakeEntra()));
  afterEach(() => fake.stop());

  it("the loopback redirect listens on loopback only, and PKCE S256 is sent", async () => {
    const client = makeClient(fake, new MemorySecretStorage().window());
    let seen: string[] = [];
    let params: URLSearchParams | undefined;
    await client.signIn((pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes: [SCOPE],
        signal: new TestSignal(),
        log: new Logger(new CapturingLog()),
        openBrowser: async (url) => {
          params = new URL(url).searchParams;
          seen = listeningAddresses(Number(new URL(params.get("redirect_uri")!).port));
          void fake.completeAuthorize(url, { username: "alice@contoso.test" });
        },
      }),
    );
    assert.ok(seen.length > 0, "the listener was found in /proc/net/tcp");
    assert.deepStrictEqual(seen, seen.map(() => "127.0.0.1"), `listening on ${seen.join(", ")}`);
    assert.strictEqual(params?.get("code_challenge_method"), "S256");
    assert.match(params?.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  });

  it("signing out in one window removes the account's refresh token from storage and from every window", async () => {
    const storage = new MemorySecretStorage();
    const [windowA, windowB] = [storage.window(), storage.window()];
    const a = makeClient(fake, windowA);
    const b = makeClient(fake, windowB);
    windowB.onDidChange(() => void b.storageChanged());
    const { account } = await signInLoopback(a, fake, "alice@contoso.test");
    await signInLoopback(a, fake, "bob@contoso.test");
    await settle(100);
    const rtOf = (cache: Record<string, Record<string, { home_account_id?: string }>>) =>
      Object.values(cache.RefreshToken ?? {}).filter((e) => e.home_account_id === account!.homeAccountId).length;
    assert.strictEqual(rtOf(b.statistics().view), 1, "window B had alice's refresh token");
    await a.removeAccount(account!.homeAccountId);
    await settle(100);
    await b.accounts();
    const stored = JSON.parse([...storage.values.values()][0]).msal;
    assert.strictEqual(rtOf(stored), 0, "not in the stored secret");
    assert.strictEqual(rtOf(b.statistics().view), 0, "not in window B");
    assert.strictEqual(rtOf(a.statistics().view), 0, "not in window A");
    assert.ok(Object.values(stored.RefreshToken).length === 1, "bob's refresh token stays");
  });

  it("the leak scan finds an issued credential in captured text (it can fail)", async () => {
    const client = makeClient(fake, new MemorySecretStorage().window());
    const { accessToken } = await signInLoopback(client, fake, "alice@contoso.test");
    assert.strictEqual(findLeaks([[`oops ${accessToken}`]]).length, 1);
    assert.strictEqual(findLeaks([["nothing here"]]).length, 0);
  });

  it("the extension's code writes credentials nowhere but SecretStorage (no files, no globalState/workspaceState, no settings)", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.ts$/.test(entry.name)) {
          const text = fs.readFileSync(file, "utf8");
          const hits = text.match(/from "(fs|node:fs|fs\/promises)"|globalState|workspaceState|\.update\(|writeFile|console\.log/g);
          if (hits) offenders.push(`${path.relative(process.cwd(), file)}: ${hits.join(", ")}`);
        }
      }
    };
    walk(path.join(__dirname, "..", "..", "..", "src"));
    assert.deepStrictEqual(offenders, []);
  });
});
