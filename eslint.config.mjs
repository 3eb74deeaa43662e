import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", ".vscode-test/**", "test/host/consumer/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    // msal-node-extensions is optional for the bench: loaded with require when installed, with a
    // stub for its native keytar dependency where that cannot be built.
    files: ["bench/contenders.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
