import * as ts from 'typescript';
import { CookedText, cookLiteral, offsetOfCookedChar, sliceCooked } from './literalText';
import { concatenationOperands, isConcatenation, isPlainStringLiteral, isStringRawTemplate, namePath, unwrapExpression } from './expressionShapes';
import { isStructuralSqlHelper, recogniseSqlTag } from './driverCalls';
import type { Scopes } from './scopes';
import { quoteIdentifier } from '../../text/identifiers';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;
const { isCallExpression, isConditionalExpression, isIdentifier, isNoSubstitutionTemplateLiteral, isPropertyAccessExpression, isTaggedTemplateExpression, isTemplateExpression } = ts;

/**
 * The SQL of a host expression as a list of pieces, each knowing where it is in the document:
 * literal text, holes (`${expr}` or a concatenated operand) and constants inlined where they are
 * referenced. Pieces are turned into a `Query` by `EmbeddedSqlBuilder`, and into the
 * parameterisation fix's new literal.
 */
export type SqlPiece =
  /** Text written in a string literal or template. */
  | { kind: 'text'; text: CookedText }
  /** A value: bound by a tag, or spliced into the text by the host language. */
  | {
      kind: 'hole';
      start: number;
      end: number;
      /** `template`: SQL the library writes there (`${sql(columns)}`, `${sql.identifier([t])}`). */
      source: 'bound' | 'interpolated' | 'template';
      expression: string;
      /** Moved from a constant's text to where the constant is used: the constant's name. */
      carriedBy?: string;
      /** Written inside a SQL string literal (`'${name}'`): see `QueryParameter.inString`. */
      inString?: boolean;
      /** `${ids.join(',')}`: a list spliced in, which one parameter cannot replace. */
      joinedList?: boolean;
      /** What the file says of a name spliced in (see `QueryParameter.declaredType`). */
      declaredType?: string;
      definition?: string;
    }
  /**
   * Text the program always puts there, but written elsewhere: a string constant's value (`${TABLE}`,
   * `BASE + …`), or one branch of `${desc ? 'DESC' : 'ASC'}`. Its characters map to the reference.
   */
  | { kind: 'reference'; value: string; start: number; end: number; expression: string; textOnly: boolean }
  /** SQL that is not in the document (quotes around text split by a hole); maps to `at`. */
  | { kind: 'synthetic'; value: string; at: number };

/** What reading an expression as SQL found. */
export interface SqlReading {
  pieces: SqlPiece[];
  /** How values were spliced into the text, when any were. */
  construction?: 'template' | 'concatenation';
  /** String nodes whose text the reading holds: no longer candidates on their own. */
  literalNodes: ts.Node[];
  /** Tagged templates inlined into this one: not queries on their own. */
  inlinedTemplates: ts.Node[];
  /** A hole of a tagged template is a call whose result might be SQL rather than a value. */
  uncertainHoles: boolean;
}

/** How deep constants and nested fragments are followed (`A` built from `B` built from `C`…). */
const MAX_DEPTH = 8;
/** How many nodes of a hole's expression are searched for nested SQL fragments. */
const MAX_HOLE_SCAN = 2000;

/** A reading with nothing in it yet. */
export function emptyReading(): SqlReading {
  return { pieces: [], literalNodes: [], inlinedTemplates: [], uncertainHoles: false };
}

/** Reads the SQL of string expressions and `sql` templates of one source file. */
export class SqlReader {
  /**
   * The initializers of the constants whose text the readings followed, in the order read: the
   * extractor drains it to tell which readings left their own statement.
   */
  readonly followed: ts.Node[] = [];

  constructor(
    private readonly source: string,
    private readonly sourceFile: ts.SourceFile,
    private readonly scopes: Scopes,
  ) {}

  /**
   * Reads a call's SQL argument: a string, a template, a concatenation, or the name of a
   * constant holding one (its text is then read where the constant is written). Also returns
   * the constant's initializer when one was followed.
   */
  readArgument(expression: ts.Expression): { reading: SqlReading; constant?: ts.Expression } | undefined {
    const node = unwrapExpression(expression);
    if (isIdentifier(node)) {
      const initializer = this.scopes.constantInitializer(node);
      if (!initializer) {
        return undefined;
      }
      this.followed.push(initializer);
      const reading = emptyReading();
      return this.readString(initializer, reading, 1) ? { reading, constant: initializer } : undefined;
    }
    const reading = emptyReading();
    return this.readString(node, reading, 0) ? { reading } : undefined;
  }

  /** Reads a plain string expression: literal, template (holes spliced), or `+` chain. */
  readString(expression: ts.Expression, reading: SqlReading, depth: number): boolean {
    const node = unwrapExpression(expression);
    if (isPlainStringLiteral(node)) {
      reading.pieces.push({ kind: 'text', text: this.cook(node) });
      reading.literalNodes.push(node);
      return true;
    }
    if (isTemplateExpression(node)) {
      this.readTemplate(node, reading, depth);
      return true;
    }
    if (isConcatenation(node)) {
      this.readConcatenation(node, reading, depth);
      return true;
    }
    return false;
  }

  private readTemplate(template: ts.TemplateExpression, reading: SqlReading, depth: number): void {
    reading.pieces.push({ kind: 'text', text: this.cook(template.head) });
    reading.literalNodes.push(template);
    for (const span of template.templateSpans) {
      if (!this.readConstantText(span.expression, reading, depth)) {
        this.pushHole(span.expression, 'interpolated', reading);
        reading.construction ??= 'template';
      }
      reading.pieces.push({ kind: 'text', text: this.cook(span.literal) });
    }
  }

  private readConcatenation(chain: ts.BinaryExpression, reading: SqlReading, depth: number): void {
    for (const operand of concatenationOperands(chain)) {
      const node = unwrapExpression(operand);
      if (isPlainStringLiteral(node) || isTemplateExpression(node)) {
        this.readString(node, reading, depth);
      } else if (!this.readConstantText(operand, reading, depth)) {
        this.pushHole(operand, 'interpolated', reading);
        reading.construction = 'concatenation';
      }
    }
  }

  /**
   * Text that is fixed although it is not written in place: a constant's name (`${TABLE}`,
   * `BASE + …`), a literal in a hole (`${'x'}`), or `${cond ? 'A' : 'B'}` (read as its first
   * branch: either way the SQL has the same shape). False when the expression is a value.
   */
  private readConstantText(expression: ts.Expression, reading: SqlReading, depth: number): boolean {
    const node = unwrapExpression(expression);
    const [start, end] = this.range(expression);
    if (isPlainStringLiteral(node)) {
      reading.pieces.push({ kind: 'text', text: this.cook(node) });
      reading.literalNodes.push(node);
      return true;
    }
    if (node.kind === SyntaxKind.NumericLiteral) {
      reading.pieces.push({ kind: 'reference', value: (node as ts.NumericLiteral).text, start, end, expression: this.source.slice(start, end), textOnly: true });
      return true;
    }
    if (isConditionalExpression(node)) {
      return this.readConstantChoice(node, reading, start, end, this.source.slice(start, end), depth, false);
    }
    if (isPropertyAccessExpression(node) && depth < MAX_DEPTH) {
      return this.readConstantMember(node, reading, start, end);
    }
    if (!isIdentifier(node) || depth >= MAX_DEPTH) {
      return false;
    }
    const initializer = this.scopes.constantInitializer(node);
    if (!initializer) {
      return false;
    }
    this.followed.push(initializer);
    if (initializer.kind === SyntaxKind.NumericLiteral) {
      // `const VERSION = 3` spliced into a name or a LIMIT: text, not a value.
      reading.pieces.push({ kind: 'reference', value: (initializer as ts.NumericLiteral).text, start, end, expression: node.text, textOnly: true });
      return true;
    }
    const choice = unwrapExpression(initializer);
    if (isConditionalExpression(choice)) {
      // `const now = useNodeTime ? '$1::timestamptz' : 'now()'`: SQL text either way.
      return this.readConstantChoice(choice, reading, start, end, node.text, depth, true);
    }
    const inner = emptyReading();
    if (!this.readString(initializer, inner, depth + 1)) {
      return false;
    }
    this.relocate(inner, reading, start, end, node.text);
    if (inner.construction) {
      reading.construction ??= inner.construction;
    }
    return true;
  }

  /**
   * `JOB_STATES.active` where `JOB_STATES` is a constant object of literals (`{ … }`, `{ … } as
   * const`, `Object.freeze({ … })`): the member's text, mapped to the reference.
   */
  private readConstantMember(node: ts.PropertyAccessExpression, reading: SqlReading, start: number, end: number): boolean {
    const object = unwrapExpression(node.expression);
    if (!isIdentifier(object)) {
      return false;
    }
    let initializer = this.scopes.constantInitializer(object);
    if (initializer && isCallExpression(initializer) && namePath(initializer.expression).join('.') === 'Object.freeze' && initializer.arguments.length === 1) {
      initializer = unwrapExpression(initializer.arguments[0]);
    }
    if (!initializer || !ts.isObjectLiteralExpression(initializer)) {
      return false;
    }
    const name = node.name.text;
    for (const property of initializer.properties) {
      if (!ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || isPlainStringLiteral(property.name)) || property.name.text !== name) {
        continue;
      }
      const value = unwrapExpression(property.initializer);
      if (!isPlainStringLiteral(value) && value.kind !== SyntaxKind.NumericLiteral) {
        return false;
      }
      this.followed.push(initializer);
      reading.pieces.push({ kind: 'reference', value: (value as ts.LiteralExpression).text, start, end, expression: this.source.slice(start, end), textOnly: true });
      reading.literalNodes.push(value);
      return true;
    }
    return false;
  }

  /**
   * `cond ? 'A' : 'B'` between two string or number literals: text the program writes either
   * way, read as its first branch (both give the SQL the same shape). Between two strings or
   * templates (`strategy === 0 ? '' : \`, q AS (UPDATE ${schema}.queues …)\``), a piece of SQL
   * the program composes: its first branch is read into the query, holes and all. `viaName`: the
   * choice is a constant's value, read where the constant is used.
   */
  private readConstantChoice(node: ts.ConditionalExpression, reading: SqlReading, start: number, end: number, expression: string, depth: number, viaName: boolean): boolean {
    const whenTrue = unwrapExpression(node.whenTrue);
    const whenFalse = unwrapExpression(node.whenFalse);
    const literal = (branch: ts.Expression) => isPlainStringLiteral(branch) || branch.kind === SyntaxKind.NumericLiteral;
    if (literal(whenTrue) && literal(whenFalse)) {
      reading.pieces.push({ kind: 'reference', value: (whenTrue as ts.LiteralExpression).text, start, end, expression, textOnly: true });
      reading.literalNodes.push(whenTrue, whenFalse);
      return true;
    }
    // `a ? \`…\` : b ? \`…\` : ''`: a chain of choices between texts.
    const text = (branch: ts.Expression): boolean => {
      const inner = unwrapExpression(branch);
      return isPlainStringLiteral(inner) || isTemplateExpression(inner) || (isConditionalExpression(inner) && text(inner.whenTrue) && text(inner.whenFalse));
    };
    if (!text(whenTrue) || !text(whenFalse) || depth >= MAX_DEPTH || isConditionalExpression(whenTrue)) {
      return false;
    }
    const inner = emptyReading();
    if (!this.readString(whenTrue, inner, depth + 1)) {
      return false;
    }
    inner.literalNodes.push(whenFalse);
    if (viaName) {
      this.relocate(inner, reading, start, end, expression);
    } else {
      // Loops, not push(...): a spread passes each element on the stack, and a template's holes
      // are unbounded (past about 120,000 a RangeError).
      appendAll(reading.pieces, inner.pieces);
      appendAll(reading.literalNodes, inner.literalNodes);
      appendAll(reading.inlinedTemplates, inner.inlinedTemplates);
      reading.uncertainHoles ||= inner.uncertainHoles;
    }
    if (inner.construction) {
      reading.construction ??= inner.construction;
    }
    return true;
  }

  /**
   * Moves the pieces of a constant to where it is referenced: its text and holes all map to the
   * reference, so a finding inside it underlines the name the query uses.
   */
  private relocate(inner: SqlReading, reading: SqlReading, start: number, end: number, name: string): void {
    const textOnly = inner.pieces.every((piece) => piece.kind !== 'hole');
    if (textOnly) {
      // One piece, even when empty: the fix writes it back as `${NAME}`.
      reading.pieces.push({ kind: 'reference', value: piecesText(inner.pieces), start, end, expression: name, textOnly });
    } else {
      let text = '';
      const flush = () => {
        if (text.length > 0) {
          reading.pieces.push({ kind: 'reference', value: text, start, end, expression: name, textOnly });
          text = '';
        }
      };
      for (const piece of inner.pieces) {
        if (piece.kind === 'hole') {
          flush();
          reading.pieces.push({ ...piece, start, end, carriedBy: name });
        } else {
          text += piece.kind === 'text' ? piece.text.value : piece.value;
        }
      }
      flush();
    }
    appendAll(reading.literalNodes, inner.literalNodes);
    appendAll(reading.inlinedTemplates, inner.inlinedTemplates);
    reading.uncertainHoles ||= inner.uncertainHoles;
  }

  /**
   * Reads a tagged template (`sql\`…\``, `prisma.$queryRaw\`…\``): holes are bound parameters,
   * nested `sql` fragments are read into the text. Undefined when the SQL is assembled at run time
   * from pieces that cannot be read here (`${sql(columns)}`, `${sql.identifier([t])}`,
   * `${cond ? sql\`AND x\` : sql\`\`}`).
   */
  readTaggedTemplate(tagged: ts.TaggedTemplateExpression, tagRoot: string, depth = 0): SqlReading | undefined {
    const reading = emptyReading();
    return this.readTaggedInto(tagged, tagRoot, reading, depth) ? reading : undefined;
  }

  private readTaggedInto(tagged: ts.TaggedTemplateExpression, tagRoot: string, reading: SqlReading, depth: number): boolean {
    const template = tagged.template;
    if (isNoSubstitutionTemplateLiteral(template)) {
      reading.pieces.push({ kind: 'text', text: this.cook(template) });
      return true;
    }
    reading.pieces.push({ kind: 'text', text: this.cook(template.head) });
    for (const span of template.templateSpans) {
      if (!this.readBoundHole(span.expression, tagRoot, reading, depth)) {
        return false;
      }
      reading.pieces.push({ kind: 'text', text: this.cook(span.literal) });
    }
    return true;
  }

  private readBoundHole(expression: ts.Expression, tagRoot: string, reading: SqlReading, depth: number): boolean {
    const node = unwrapExpression(expression);
    if (isTaggedTemplateExpression(node) && recogniseSqlTag(node.tag)) {
      if (depth >= MAX_DEPTH) {
        return false;
      }
      reading.inlinedTemplates.push(node);
      return this.readTaggedInto(node, tagRoot, reading, depth + 1);
    }
    if (isIdentifier(node)) {
      if (this.scopes.isAssignedFragment(node.text)) {
        return false; // `let where; if (…) where = sql\`WHERE …\``: assembled at run time
      }
      const binding = this.scopes.resolve(node);
      if (binding?.kind === 'variable' && isSqlTaggedTemplate(binding.initializer)) {
        // A fragment kept in a variable: read it where it is used, unless it is reassigned.
        const initializer = this.scopes.constantInitializer(node) as ts.TaggedTemplateExpression | undefined;
        if (!initializer || depth >= MAX_DEPTH) {
          return false;
        }
        this.followed.push(initializer);
        const inner = emptyReading();
        if (!this.readTaggedInto(initializer, tagRoot, inner, depth + 1)) {
          return false;
        }
        inner.inlinedTemplates.push(initializer);
        const [start, end] = this.range(expression);
        this.relocate(inner, reading, start, end, node.text);
        return true;
      }
      this.pushHole(expression, 'bound', reading);
      return true;
    }
    const written = this.rawText(node, tagRoot, reading, depth);
    if (written) {
      return true;
    }
    if (isCallExpression(node) && this.readSqlHelper(node, expression, tagRoot, reading)) {
      return true;
    }
    if (holdsSqlStructure(node, tagRoot)) {
      return false;
    }
    if (isCallExpression(node) && !isValueHelper(node)) {
      reading.uncertainHoles = true;
    }
    this.pushHole(expression, 'bound', reading);
    return true;
  }

  /**
   * The SQL a library's helper writes into a tagged template, as far as it can be known here:
   *
   * - postgres.js `sql(x)`: after `IN`, a list of values (`IN (${…})`); after `INSERT INTO t`
   *   or `SET`, with its columns named (`sql(user, 'name', 'age')`), those columns and one value
   *   each; otherwise names or a column list (`${sql(columns)}`, `FROM ${sql(table)}`);
   * - slonik `sql.identifier(['public', 'jobs'])` of literals: that name, quoted; of anything
   *   else, a name; `sql.join(values, sql.fragment\`, \`)`: a list of values; other joins (of
   *   fragments, `AND`): a piece of SQL;
   * - slonik `sql.unnest`, knex-style `ref`/`id`/`table` helpers: names.
   *
   * SQL known only at run time becomes a `template` hole: the analysis reads what it stands for
   * (a name, a column list, a condition) and says the query is not planned, and why. False for
   * a call that is none of these.
   */
  private readSqlHelper(call: ts.CallExpression, expression: ts.Expression, tagRoot: string, reading: SqlReading): boolean {
    const path = namePath(call.expression);
    const args = call.arguments;
    if (path.length === 1 && path[0] === tagRoot && tagRoot !== 'prisma' && args.length >= 1) {
      const before = trailingText(reading.pieces);
      const [start, end] = this.range(expression);
      if (args.length === 1 && /\bin\s*$/i.test(before)) {
        reading.pieces.push({ kind: 'synthetic', value: '(', at: start });
        this.pushHole(expression, 'bound', reading);
        reading.pieces.push({ kind: 'synthetic', value: ')', at: end });
        return true;
      }
      const columns = stringArguments(args.slice(1));
      const insert = /\binsert\s+into\s+(?:"[^"]+"|[\w$.]+)\s*$/i.test(before);
      const update = /\bset\s*$/i.test(before);
      if (columns && columns.length > 0 && (insert || update)) {
        const value = this.source.slice(args[0].getStart(this.sourceFile), args[0].end);
        const names = columns.map((column) => quoteIdentifier(column.text));
        reading.pieces.push({ kind: 'synthetic', value: insert ? `(${names.join(', ')}) VALUES (` : '', at: start });
        columns.forEach((column, i) => {
          if (i > 0) reading.pieces.push({ kind: 'synthetic', value: ', ', at: column.getStart(this.sourceFile) });
          if (update) reading.pieces.push({ kind: 'synthetic', value: `${names[i]} = `, at: column.getStart(this.sourceFile) });
          const [from, to] = this.range(column);
          reading.pieces.push({ kind: 'hole', start: from, end: to, source: 'bound', expression: `${value}.${column.text}` });
        });
        if (insert) reading.pieces.push({ kind: 'synthetic', value: ')', at: end });
        return true;
      }
      this.pushHole(expression, 'template', reading);
      return true;
    }
    if (path.length !== 2 || (path[0] !== tagRoot && path[0] !== 'sql')) {
      return false;
    }
    switch (path[1]) {
      case 'identifier': {
        const parts = args.length === 1 && ts.isArrayLiteralExpression(args[0]) ? stringArguments(args[0].elements) : undefined;
        if (parts && parts.length > 0) {
          const [start, end] = this.range(expression);
          const value = parts.map((part) => `"${part.text.replace(/"/g, '""')}"`).join('.');
          reading.pieces.push({ kind: 'reference', value, start, end, expression: this.source.slice(start, end), textOnly: true });
          return true;
        }
        this.pushHole(expression, 'template', reading);
        return true;
      }
      case 'join': {
        const glue = args[1] ? unwrapExpression(args[1]) : undefined;
        const glueText = glue && isTaggedTemplateExpression(glue) && isNoSubstitutionTemplateLiteral(glue.template) ? glue.template.text : undefined;
        const ofFragments = args[0] && ts.isArrayLiteralExpression(unwrapExpression(args[0])) && (unwrapExpression(args[0]) as ts.ArrayLiteralExpression).elements.some((e) => isTaggedTemplateExpression(unwrapExpression(e)));
        // The glue (`sql.fragment\` AND \``) is no fragment of its own to analyse.
        if (glue && isTaggedTemplateExpression(glue)) reading.inlinedTemplates.push(glue);
        this.pushHole(expression, glueText !== undefined && glueText.trim() === ',' && !ofFragments ? 'bound' : 'template', reading);
        return true;
      }
      case 'unnest':
      case 'ref':
      case 'id':
      case 'table':
        this.pushHole(expression, 'template', reading);
        return true;
      default:
        return false;
    }
  }

  /**
   * Text a helper writes into a tagged template as SQL, when it is fixed: `Prisma.raw('720')`,
   * `sql.raw(COLUMNS)`, `sql.unsafe('…')` (the text of a literal or a constant), and
   * `Prisma.empty` (nothing). False for anything else.
   */
  private rawText(node: ts.Expression, tagRoot: string, reading: SqlReading, depth: number): boolean {
    const roots = [tagRoot, 'sql', 'Prisma'];
    if (isPropertyAccessExpression(node)) {
      const path = namePath(node);
      return path.length === 2 && roots.includes(path[0]) && path[1] === 'empty';
    }
    if (!isCallExpression(node) || node.arguments.length !== 1) {
      return false;
    }
    const path = namePath(node.expression);
    if (path.length !== 2 || !roots.includes(path[0]) || (path[1] !== 'raw' && path[1] !== 'unsafe')) {
      return false;
    }
    const inner = emptyReading();
    const argument = node.arguments[0];
    if (!this.readConstantText(argument, inner, depth + 1) || inner.pieces.some((piece) => piece.kind === 'hole' || (piece.kind === 'reference' && !piece.textOnly))) {
      return false;
    }
    const [start, end] = this.range(node);
    reading.pieces.push({ kind: 'reference', value: piecesText(inner.pieces), start, end, expression: this.source.slice(start, end), textOnly: true });
    appendAll(reading.literalNodes, inner.literalNodes);
    return true;
  }

  private pushHole(expression: ts.Expression, source: 'bound' | 'interpolated' | 'template', reading: SqlReading): void {
    const [start, end] = this.range(expression);
    const node = unwrapExpression(expression);
    const joinedList = isCallExpression(node) && isPropertyAccessExpression(node.expression) && node.expression.name.text === 'join';
    const hole: SqlPiece = { kind: 'hole', start, end, source, expression: this.source.slice(start, end), ...(joinedList ? { joinedList } : {}) };
    if (source === 'interpolated' && isIdentifier(node)) {
      this.describeName(node, hole);
    }
    reading.pieces.push(hole);
  }

  /**
   * What the file says of a name spliced into SQL text: its declared type (`seconds: number`)
   * and the expression it is set to once (`const quoted = name.replace(/'/g, "''")`, a
   * parameter's default), for the rules to tell a value that cannot break the SQL text.
   */
  private describeName(name: ts.Identifier, hole: { declaredType?: string; definition?: string }): void {
    const binding = this.scopes.resolve(name);
    if (binding?.kind === 'parameter') {
      const { type, initializer } = binding.declaration;
      if (type) hole.declaredType = this.source.slice(type.getStart(this.sourceFile), type.end);
      else if (initializer) hole.definition = this.source.slice(initializer.getStart(this.sourceFile), initializer.end);
    } else if (binding?.kind === 'variable') {
      const type = binding.declaration.type;
      if (type) hole.declaredType = this.source.slice(type.getStart(this.sourceFile), type.end);
      const initializer = this.scopes.constantInitializer(name);
      if (initializer) hole.definition = this.source.slice(initializer.getStart(this.sourceFile), initializer.end);
    }
  }

  private range(node: ts.Node): [number, number] {
    return [node.getStart(this.sourceFile), node.end];
  }

  /** The text between the delimiters of a string literal or template piece. */
  private cook(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail): CookedText {
    const start = node.getStart(this.sourceFile);
    const template = node.kind !== SyntaxKind.StringLiteral;
    // `'…'`, `` `…` `` and `}…\`` have one delimiter each side; heads and middles end with `${`.
    let end = node.end;
    if (node.kind === SyntaxKind.TemplateHead || node.kind === SyntaxKind.TemplateMiddle) {
      end -= 2;
    } else if (!(node as ts.LiteralLikeNode).isUnterminated) {
      end -= 1;
    }
    const whole = node.kind === SyntaxKind.NoSubstitutionTemplateLiteral ? node : node.kind === SyntaxKind.TemplateHead ? node.parent : node.parent?.parent;
    if (template && whole && isStringRawTemplate(whole)) {
      // String.raw: the characters as written are the text, backslashes included.
      return { value: this.source.slice(start + 1, Math.max(start + 1, end)), start: start + 1, end: Math.max(start + 1, end) };
    }
    return cookLiteral(this.source, start + 1, Math.max(start + 1, end), template);
  }
}

/** Whether an expression is a template with a SQL tag. */
function isSqlTaggedTemplate(node: ts.Expression): node is ts.TaggedTemplateExpression {
  return isTaggedTemplateExpression(node) && recogniseSqlTag(node.tag) !== undefined;
}

/** slonik's and Prisma's value helpers: they become one parameter (or a list of them). */
function isValueHelper(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (!isPropertyAccessExpression(callee)) {
    return false;
  }
  const object = unwrapExpression(callee.expression);
  return isIdentifier(object) && (object.text === 'sql' || object.text === 'Prisma') && VALUE_HELPERS.has(callee.name.text);
}

const VALUE_HELPERS = new Set(['array', 'json', 'jsonb', 'binary', 'date', 'timestamp', 'interval', 'uuid', 'join', 'literalValue', 'lit', 'val']);

/** Whether a hole's expression holds a SQL fragment or a structural helper anywhere inside. */
function holdsSqlStructure(expression: ts.Expression, tagRoot: string): boolean {
  const stack: ts.Node[] = [expression];
  let visited = 0;
  while (stack.length > 0) {
    if (++visited > MAX_HOLE_SCAN) {
      return true;
    }
    const node = stack.pop()!;
    if (isTaggedTemplateExpression(node) && recogniseSqlTag(node.tag)) {
      return true;
    }
    if ((isCallExpression(node) || isPropertyAccessExpression(node)) && isStructuralSqlHelper(node, tagRoot)) {
      return true;
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  return false;
}

/** The pieces' text with holes as NUL: for keyword and placeholder tests. */
export function piecesText(pieces: readonly SqlPiece[]): string {
  let text = '';
  for (const piece of pieces) {
    text += piece.kind === 'text' ? piece.text.value : piece.kind === 'hole' ? '\u0000' : piece.value;
  }
  return text;
}

/**
 * TypeORM's `:...ids` (a list parameter, `IN (:...ids)`) as a bound hole: the builder knows
 * `:name` but not the spread form.
 */
export function bindSpreadParameters(pieces: readonly SqlPiece[]): SqlPiece[] {
  const out: SqlPiece[] = [];
  for (const piece of pieces) {
    if (piece.kind !== 'text' || !piece.text.value.includes(':...')) {
      out.push(piece);
      continue;
    }
    const spread = /(?<![:A-Za-z0-9_]):\.\.\.([A-Za-z_][A-Za-z0-9_]*)/g;
    let from = 0;
    for (let match = spread.exec(piece.text.value); match; match = spread.exec(piece.text.value)) {
      const to = match.index + match[0].length;
      if (match.index > from) {
        out.push({ kind: 'text', text: sliceCooked(piece.text, from, match.index) });
      }
      out.push({ kind: 'hole', start: offsetOfCookedChar(piece.text, match.index), end: offsetOfCookedChar(piece.text, to), source: 'bound', expression: match[1] });
      from = to;
    }
    if (from < piece.text.value.length) {
      out.push({ kind: 'text', text: sliceCooked(piece.text, from, piece.text.value.length) });
    }
  }
  return out;
}

/** The SQL text read so far, from its last hole or reference on: what a hole follows. */
function trailingText(pieces: readonly SqlPiece[]): string {
  let text = '';
  for (let i = pieces.length - 1; i >= 0 && text.length < 200; i--) {
    const piece = pieces[i];
    if (piece.kind === 'text') text = piece.text.value + text;
    else if (piece.kind === 'synthetic') text = piece.value + text;
    else break;
  }
  return text;
}

/** The arguments when every one is a string literal (postgres.js's column names). */
function stringArguments(args: readonly ts.Expression[]): (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] | undefined {
  const literals: (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] = [];
  for (const arg of args) {
    const node = unwrapExpression(arg);
    if (!ts.isStringLiteral(node) && !isNoSubstitutionTemplateLiteral(node)) return undefined;
    literals.push(node);
  }
  return literals;
}

/** `target.push(...items)` for arrays of any length (a spread puts every item on the stack). */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
