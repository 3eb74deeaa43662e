// Bundles the extension into one file; MSAL is bundled (the VSIX ships no node_modules).
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");

// msal-node uses jsonwebtoken only to sign client assertions of confidential clients; a public
// client never does. Leaving it (and its semver and lodash) out keeps a quarter of the bundle away.
const noClientAssertions = {
  name: "no-client-assertions",
  setup(build) {
    build.onResolve({ filter: /^jsonwebtoken$/ }, () => ({ path: "jsonwebtoken", namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents: 'module.exports = { sign() { throw new Error("Client assertions are not supported by a public client."); } };',
      loader: "js",
    }));
  },
};
await esbuild.build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  outfile: "dist/extension.js",
  external: ["vscode"],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: production ? "linked" : "inline",
  logLevel: "warning",
  metafile: true,
  plugins: [noClientAssertions],
}).then((result) => {
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`dist/extension.js: ${(bytes / 1024).toFixed(0)} KB${production ? " (production)" : ""}`);
});
