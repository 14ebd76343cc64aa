// One flat config for the whole workspace; each package runs `eslint .`.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/.next/**", "**/.next-*/**", "**/.turbo/**", "**/generated/**", "**/next-env.d.ts", ".data/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-confusing-void-expression": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // process.env is read in each package's env.ts only
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read settings through the package's env.ts." }],
    },
  },
  {
    files: ["**/env.ts", "**/*.config.ts", "**/testing/**", "**/cli/**", "**/test/**", "**/bench/**", "**/scripts/**", "**/prisma-cli-config.ts", "**/lifecycle/migrate.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  // vitest's asymmetric matchers (expect.stringMatching, …) are typed `any`
  { files: ["**/test/**"], rules: { "@typescript-eslint/no-unsafe-assignment": "off" } },
  { files: ["apps/web/src/**/*.tsx"], languageOptions: { globals: { ...globals.browser } } },
  { files: ["**/*.js"], extends: [tseslint.configs.disableTypeChecked] },
);
