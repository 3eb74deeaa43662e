// A throwaway certificate authority and a server certificate for 127.0.0.1, made with the openssl
// CLI (Node can check certificates but not issue them). Nothing is installed anywhere: whoever
// must trust the test provider is handed the CA (an https.Agent, NODE_EXTRA_CA_CERTS for one
// process, Chromium's SPKI allow-list for one browser).
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TestCertificates {
  /** Folder holding the files; removed by `dispose()`. */
  readonly dir: string;
  /** PEM of the certificate authority, and its file (for NODE_EXTRA_CA_CERTS). */
  readonly caPem: string;
  readonly caFile: string;
  /** The server's key and certificate (127.0.0.1, 127.0.0.2 and localhost), PEM. */
  readonly key: string;
  readonly cert: string;
  /** base64 SHA-256 of the server certificate's public key, for --ignore-certificate-errors-spki-list. */
  readonly spkiSha256: string;
  dispose(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === "ENOENT") {
      throw new Error("The openssl command is needed to make the test provider's certificate: install it (apt-get install openssl).");
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? String(err)}`);
  }
}

/** Makes a CA valid for two days and a server certificate it signed, in a fresh temp folder. */
export function makeTestCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msal-oidc-ca-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=msal-secretstorage-auth test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  openssl(["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
  fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "1", "-days", "2", "-extfile", "server.ext", "-out", "server.pem"], dir);
  const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
  const cert = read("server.pem");
  const spki = new X509Certificate(cert).publicKey.export({ type: "spki", format: "der" });
  return {
    dir,
    caPem: read("ca.pem"),
    caFile: path.join(dir, "ca.pem"),
    key: read("server.key"),
    cert,
    spkiSha256: createHash("sha256").update(spki).digest("base64"),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
