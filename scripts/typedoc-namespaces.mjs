// TypeDoc plugin: the namespaces of paralens (`layers`, `losses`, ...) are
// plain objects of the library's functions and classes (a bundler leaves an
// unused object out; see ts-api/index.ts), which TypeDoc reads, with their
// @namespace tag, as a namespace of variables. This shows each member as what
// it names: a function with its signatures and doc comment, or a class's
// variable with the class's doc comment.
import ts from "typescript";
import { Converter, ReflectionKind, ReflectionType } from "typedoc";

/** The declaration a shorthand member `{ dense }` of a namespace object names. */
function named(checker, symbol) {
  const shorthand = symbol.getDeclarations()?.find(ts.isShorthandPropertyAssignment);
  if (shorthand === undefined) return undefined;
  let target = checker.getShorthandAssignmentValueSymbol(shorthand);
  if (target !== undefined && target.flags & ts.SymbolFlags.Alias) target = checker.getAliasedSymbol(target);
  return target;
}

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Variable) || !reflection.parent?.kindOf(ReflectionKind.Namespace)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const target = symbol && named(context.checker, symbol);
    if (target === undefined) return;
    const kind = target.flags & ts.SymbolFlags.Class ? ReflectionKind.Class : ReflectionKind.Function;
    reflection.comment ??= context.getComment(target, kind)?.clone();
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Variable)) {
      if (!reflection.parent?.kindOf(ReflectionKind.Namespace)) continue;
      const type = reflection.type;
      if (!(type instanceof ReflectionType) || !type.declaration.signatures?.length) continue;
      // a function: its signatures (which carry its doc comment) on a function of the namespace
      reflection.kind = ReflectionKind.Function;
      reflection.signatures = type.declaration.signatures;
      // a function declared as a const carries its doc comment on the const
      if (reflection.comment !== undefined && reflection.signatures.every((s) => s.comment === undefined)) reflection.signatures[0].comment = reflection.comment;
      for (const signature of reflection.signatures) {
        signature.parent = reflection;
        signature.name = reflection.name;
      }
      type.declaration.signatures = undefined;
      reflection.type = undefined;
      reflection.comment = undefined;
    }
  });
}
