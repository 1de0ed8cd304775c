// Lint is how the kit keeps each style honest: every style folder gets the syntax its idiom may
// not use (DESIGN.md's table) as `no-restricted-syntax` errors. The adapters (`index.ts`) are
// exempt: they convert a style's native shape to the harness's Promise-based interface.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginPromise from 'eslint-plugin-promise';

const noPromise = [
  { selector: "NewExpression[callee.name='Promise']", message: 'This style may not create Promises.' },
  { selector: "MemberExpression[object.name='Promise']", message: 'This style may not use Promise.*.' },
  { selector: "TSTypeReference[typeName.name='Promise']", message: 'This style may not mention Promise.' },
];
const noAsync = [
  { selector: ':function[async=true]', message: 'This style may not use async functions.' },
  { selector: 'AwaitExpression', message: 'This style may not use await.' },
  { selector: 'ForOfStatement[await=true]', message: 'This style may not use for await.' },
];
const noThen = [
  { selector: "CallExpression > MemberExpression.callee[property.name='then']", message: 'This style may not chain .then.' },
];
const noCatchChain = [
  { selector: "CallExpression > MemberExpression.callee[property.name='catch']", message: 'async/await handles errors with try/catch, not .catch chains.' },
  { selector: "CallExpression > MemberExpression.callee[property.name='finally']", message: 'async/await cleans up with try/finally, not .finally chains.' },
];
// Threads: blocking code, so no function handed to another to call later. A named function given
// as a value (`task(import.meta.url, echoConnection)`) is allowed: a thread runs it, nothing calls it back.
const noCallbacks = [
  { selector: 'CallExpression > :matches(ArrowFunctionExpression, FunctionExpression).arguments', message: 'Threads block; they do not pass callbacks.' },
  { selector: 'NewExpression > :matches(ArrowFunctionExpression, FunctionExpression).arguments', message: 'Threads block; they do not pass callbacks.' },
];
const noThrow = [
  { selector: 'ThrowStatement', message: 'fp-ts returns expected failures as Left values; it does not throw.' },
];

// The layers, bottom to top: an import may point down or sideways, never up (DESIGN.md, "Layers").
// Upward imports are caught here as they are typed; test/architecture/layers.test.ts reads the whole
// graph (dynamic imports too) and finds cycles. test/ sits beside the layers: only tests use it.
const LAYERS = ['scenarios', 'styles', 'harness', 'reports', 'cli'];
const ARROWS = LAYERS.join(' <- ');
const noTestSupport = { regex: '^(\\.\\./)+test/', message: 'Only tests may import test/ (support code beside the layers).' };

/** Two blocks per layer: its code may not import a layer above it or test/; its tests may use test/. */
const layerRules = (layer, index) => {
  const above = LAYERS.slice(index + 1);
  const upward = above.length === 0 ? [] : [{ regex: `^(\\.\\./)+(${above.join('|')})/`, message: `${layer}/ may not import ${above.join('/ or ')}/: the arrows point one way, ${ARROWS}.` }];
  return [
    { files: [`${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [...upward, noTestSupport] }] } },
    { files: [`${layer}/**/*.test.ts`], rules: { 'no-restricted-imports': ['error', { patterns: upward }] } },
  ];
};

/** One block per style folder: the rules of its idiom, the adapter exempt. */
const styleRules = (folder, restricted) => ({
  files: [`styles/${folder}/**/*.ts`],
  ignores: [`styles/${folder}/index.ts`, `styles/${folder}/**/*.test.ts`],
  rules: { 'no-restricted-syntax': ['error', ...restricted] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/latest/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Callback-style code legitimately hands functions that return nothing useful to Node APIs.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.test.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  ...LAYERS.flatMap(layerRules),
  // Promise chains: the promise plugin's rules, where chains are the whole idiom.
  { files: ['styles/promise-chains/**/*.ts'], ...pluginPromise.configs['flat/recommended'] },
  styleRules('callbacks', [...noPromise, ...noAsync, ...noThen]),
  styleRules('promise-chains', [...noAsync]),
  styleRules('coroutines', [...noPromise, ...noAsync, ...noThen]),
  styleRules('async-await', [...noThen, ...noCatchChain]),
  styleRules('rxjs', [...noAsync, ...noThen]),
  styleRules('fp-ts', [...noThrow, ...noAsync, ...noThen]),
  styleRules('effect', [...noPromise, ...noAsync, ...noThen]),
  // The style files only: the runtime under them is what makes blocking calls possible on Node.
  { ...styleRules('threads', [...noPromise, ...noAsync, ...noThen, ...noCallbacks]), ignores: ['styles/threads/index.ts', 'styles/threads/runtime/**', 'styles/threads/**/*.test.ts'] },
);
