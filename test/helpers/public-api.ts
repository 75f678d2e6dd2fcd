import {dirname} from 'node:path'
import ts from 'typescript'

/**
 * What a built entry point (`dist/src/index.d.ts`) offers, read with the TypeScript compiler:
 * its export names, and the named types its exported declarations mention that a user cannot
 * import from the package (a type reached only through an internal file: an editor shows it as
 * `import("…/dist/src/engine/cancel-jobs").CancelledJob`, and users cannot name it).
 */
export interface PublicApi {
  /** Sorted; a type-only export is written `type Name`. */
  exports: string[]
  /** The names that exist at run time, sorted. */
  values: string[]
  /** `Name (used by Export)`, sorted; empty when every named type is exported. */
  unexported: string[]
}

/**
 * `entry`'s exports; a type counts as exported when `entry` or one of `siblings` (the package's
 * other entry points) exports it.
 */
export function readPublicApi(entry: string, siblings: readonly string[] = []): PublicApi {
  const program = ts.createProgram([entry, ...siblings], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    noEmit: true,
  })
  const checker = program.getTypeChecker()
  const file = program.getSourceFile(entry)
  if (!file) throw new Error(`cannot read ${entry}`)
  const module = checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`${entry} is not a module`)
  const exported = checker.getExportsOfModule(module)
  const resolved = new Set(exported.map((symbol) => resolve(checker, symbol)))
  for (const sibling of siblings) {
    const source = program.getSourceFile(sibling)
    const other = source && checker.getSymbolAtLocation(source)
    if (!other) throw new Error(`${sibling} is not a module`)
    for (const symbol of checker.getExportsOfModule(other)) resolved.add(resolve(checker, symbol))
  }
  const packageDir = dirname(dirname(dirname(entry)))
  const unexported = new Set<string>()
  for (const symbol of exported) {
    const target = resolve(checker, symbol)
    for (const declaration of target.declarations ?? []) {
      const visit = (node: ts.Node): void => {
        // Private members are not part of what users see.
        if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword))
          return
        if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
          const name = ts.isTypeReferenceNode(node)
            ? node.typeName
            : ts.isTypeQueryNode(node)
              ? node.exprName
              : node.expression
          const referenced = checker.getSymbolAtLocation(name)
          if (referenced) {
            const real = resolve(checker, referenced)
            const origin = real.declarations?.[0]?.getSourceFile().fileName ?? ''
            const ours = origin.startsWith(packageDir) && !origin.includes('/node_modules/')
            const isTypeParameter = (real.flags & ts.SymbolFlags.TypeParameter) !== 0
            if (ours && !isTypeParameter && !resolved.has(real)) unexported.add(`${real.name} (used by ${symbol.name})`)
          }
        }
        ts.forEachChild(node, visit)
      }
      visit(declaration)
    }
  }
  const isValue = (symbol: ts.Symbol) =>
    !isTypeOnly(checker, symbol) && (resolve(checker, symbol).flags & ts.SymbolFlags.Value) !== 0
  return {
    exports: exported.map((s) => (isValue(s) ? s.name : `type ${s.name}`)).sort(byName),
    values: exported
      .filter(isValue)
      .map((s) => s.name)
      .sort(byName),
    unexported: [...unexported].sort(),
  }
}

function byName(a: string, b: string): number {
  const key = (name: string) => name.replace(/^type /, '')
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0
}

function resolve(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
}

/** Whether an alias, or one it re-exports, is a type-only export (`export type {X}`). */
function isTypeOnly(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): boolean {
  for (let at = symbol; at && at.flags & ts.SymbolFlags.Alias; at = checker.getImmediateAliasedSymbol(at)) {
    const typeOnly = at.declarations?.some(
      (d) => (ts.isExportSpecifier(d) || ts.isImportSpecifier(d)) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
    )
    if (typeOnly) return true
  }
  return false
}
