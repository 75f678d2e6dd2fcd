// The import rules of ARCHITECTURE.md, checked by `npm run arch` (and so by CI). A violation
// prints the rule's name and the offending import; fix the import, not the rule, unless
// ARCHITECTURE.md changes with it.

/**
 * src/ in layers, lowest first: a folder may import its own modules and those of the layers
 * below it, never above. `src/errors.ts` and `src/index.ts` are single files.
 */
const LAYERS = [
  'util',
  'errors.ts',
  'db',
  'telemetry',
  'cron',
  'config',
  'job',
  'notifier',
  'engine',
  'queue',
  'client',
  'plugin',
  'cluster',
  'control',
  'instance',
  'operator',
  'testing',
  'cli',
  'index.ts',
]

const escape = (name) => name.replace(/\./g, '\\.')
const pathOf = (name) => (name.endsWith('.ts') ? `^src/${escape(name)}$` : `^src/${escape(name)}/`)

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.replace(/\.ts$/, '')}`,
  comment: `src/${layer} is layer ${index + 1} of ${LAYERS.length}: it may not import ${LAYERS.slice(index + 1).join(', ')} (see ARCHITECTURE.md)`,
  severity: 'error',
  from: {path: pathOf(layer)},
  to: {path: LAYERS.slice(index + 1).map(pathOf)},
}))

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle, type-only imports included.',
      severity: 'error',
      from: {},
      to: {circular: true},
    },
    {
      name: 'commands-only-through-cli',
      comment:
        'A command parses, calls one function of src/cli/ and renders: it imports src/cli/ (and the built-in plugin catalogue to hand to it), nothing else of ours.',
      severity: 'error',
      from: {path: '^commands/'},
      to: {path: '^(src|plugins|test|bench)/', pathNot: ['^src/cli/', '^plugins/index\\.ts$']},
    },
    {
      name: 'core-never-imports-commands-or-plugins',
      comment: 'src/ is the library: it knows no command and no concrete plugin (the CLI hands it the catalogue).',
      severity: 'error',
      from: {path: '^src/'},
      to: {path: '^(commands|plugins|test|bench)/'},
    },
    {
      name: 'sql-imports-no-runtime-services',
      comment:
        'src/engine/ holds one function per SQL statement: it may use connections (db/), the job model (job/), helpers and errors, never a running service.',
      severity: 'error',
      from: {path: '^src/engine/'},
      to: {path: '^src/', pathNot: ['^src/(engine|db|job|util)/', '^src/errors\\.ts$']},
    },
    {
      name: 'plugins-use-the-plugin-kit',
      comment:
        'A built-in plugin is written as any plugin is: with the plugin kit (src/plugin/) and the layers below it, not with the instance, the CLI or other plugins.',
      severity: 'error',
      from: {path: '^plugins/[^/]+/'},
      to: {
        path: ['^src/(cluster|control|instance|operator|cli)/', '^src/index\\.ts$', '^commands/'],
      },
    },
    {
      name: 'one-plugin-per-folder',
      comment: 'A plugin folder imports no other plugin folder (plugins/index.ts gathers them).',
      severity: 'error',
      from: {path: '^plugins/([^/]+)/'},
      to: {path: '^plugins/[^/]+/', pathNot: '^plugins/$1/'},
    },
    {
      name: 'terminal-ui-only-in-cli',
      comment: 'Ink, React and colours are the CLI’s: the library and plugins print nothing of their own.',
      severity: 'error',
      from: {path: '^(src|plugins)/', pathNot: '^src/cli/'},
      to: {path: '^node_modules/(ink|react|chalk|cli-table3)/'},
    },
    {
      name: 'no-dev-dependencies-at-run-time',
      comment: 'What users install must not need a devDependency.',
      severity: 'error',
      from: {path: '^(src|commands|plugins)/'},
      to: {dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only']},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    // Type-only imports count: a cycle through types is still a cycle for a reader.
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
}
