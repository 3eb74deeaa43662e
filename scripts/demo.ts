/**
 * `npm start`: VS Code (code-server) with the freshly built VSIX, pointed at the local fake Entra ID,
 * so anyone can sign in from the Accounts menu without an Azure tenant. Ctrl+C stops everything.
 */
import * as path from "path";
import { startFakeEntra } from "../test/fakeEntra";
import { CodeServer, freePort } from "../test/host/harness";
import { projectRoot, requireExtensionVsix, vscodeTestDir } from "../test/host/harness/paths";

async function main(): Promise<void> {
  const fake = await startFakeEntra({ port: Number(process.env.FAKE_ENTRA_PORT ?? 0) });
  const port = Number(process.env.PORT ?? 0) || (await freePort());
  // Kept between runs, so a second `npm start` finds the extension's state (secrets live in the browser).
  const server = new CodeServer({ baseDir: path.join(vscodeTestDir, "demo"), port });
  server.writeUserSettings({
    "msal.authority": fake.authority("organizations"),
    "msal.signInFlow": process.env.MSAL_SIGN_IN_FLOW ?? "loopback",
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
  });
  await server.installExtension(requireExtensionVsix());
  await server.start();

  const url = `${server.url}/?folder=${encodeURIComponent(projectRoot)}`;
  console.log(`
VS Code with the extension is running. Open:

  ${url}

Then click the Accounts icon (bottom of the activity bar) → "Sign in with Microsoft Entra ID" and
pick alice@contoso.test or bob@contoso.test on the local sign-in page (fake Entra ID at ${fake.url}).
Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping code-server and the fake Entra ID…");
    await server.stop();
    await fake.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
