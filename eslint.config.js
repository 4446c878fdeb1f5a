// Lint rules a reviewer would otherwise enforce by hand: no floating promises (an unawaited write
// is a lost write), exhaustive switches on status unions, no `any`.
import js from "@eslint/js";
import jest from "eslint-plugin-jest";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "dist-action/**", "node_modules/**", "coverage/**", "**/*.generated.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      // Async functions that implement a Promise-returning interface need not await anything.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports (STYLE.md)." },
      ],
    },
  },
  {
    // Every regex the product runs meets text from strangers: none may backtrack or move super-linearly.
    files: ["src/**/*.ts"],
    plugins: { regexp },
    rules: {
      "regexp/no-super-linear-backtracking": "error",
      "regexp/no-super-linear-move": "error",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        structuredClone: "readonly",
      },
    },
  },
  {
    // Tools load their config files through a default export.
    files: ["eslint.config.js", "jest.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // The fake GitHub and the tests read JSON request bodies of unknown shape and print them.
    files: ["src/demo/**/*.ts", "test/**/*.ts"],
    rules: { "@typescript-eslint/no-base-to-string": "off" },
  },
  {
    // Tests read the CLI's JSON output through JSON.parse; asserting on it is the point.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
    },
  },
  {
    // A test must be able to fail: an `expect` inside an `if` passes when the branch is not taken,
    // and a test without one passes whatever happens.
    files: ["test/**/*.test.ts"],
    plugins: { jest },
    rules: {
      "jest/no-conditional-expect": "error",
      "jest/expect-expect": ["error", { assertFunctionNames: ["expect", "expect*", "fc.assert"] }],
    },
  },
);
