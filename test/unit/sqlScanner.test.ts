import * as assert from 'assert';
import { Placeholder, ScanSyntax, SqlScanner, Tok, TokenFlag, type DialectFamily } from '../../server/src/scan/sqlScanner';

// The kinds are a const enum (inlined: no object at run time), so their names are listed here.
const KIND_NAMES: Record<number, string> = {
  [Tok.Word]: 'Word',
  [Tok.QuotedIdentifier]: 'QuotedIdentifier',
  [Tok.String]: 'String',
  [Tok.DollarString]: 'DollarString',
  [Tok.Number]: 'Number',
  [Tok.Parameter]: 'Parameter',
  [Tok.Placeholder]: 'Placeholder',
  [Tok.PsqlVariable]: 'PsqlVariable',
  [Tok.PsqlCommand]: 'PsqlCommand',
  [Tok.Operator]: 'Operator',
  [Tok.Punctuation]: 'Punctuation',
  [Tok.LineComment]: 'LineComment',
  [Tok.BlockComment]: 'BlockComment',
  [Tok.Hole]: 'Hole',
  [Tok.TemplateHole]: 'TemplateHole',
};
const PLACEHOLDER_NAMES: Record<number, string> = {
  [Placeholder.Question]: 'Question',
  [Placeholder.QuestionIdentifier]: 'QuestionIdentifier',
  [Placeholder.FormatPositional]: 'FormatPositional',
  [Placeholder.FormatNamed]: 'FormatNamed',
  [Placeholder.FormatPercent]: 'FormatPercent',
  [Placeholder.Named]: 'Named',
  [Placeholder.NamedList]: 'NamedList',
  [Placeholder.NamedText]: 'NamedText',
};

/** Every token as `Kind:text`, placeholders as `Placeholder.Kind:text`, names after `@`. */
function tokens(sql: string, syntax: number = ScanSyntax.None, family: DialectFamily = 'postgresql'): string[] {
  const out: string[] = [];
  const scanner = new SqlScanner(sql, family, syntax);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    let label = kind === Tok.Placeholder ? `Placeholder.${PLACEHOLDER_NAMES[scanner.placeholder]}` : KIND_NAMES[kind];
    if (scanner.flags & TokenFlag.Unterminated) label += '(unterminated)';
    let entry = `${label}:${scanner.tokenText}`;
    if ((kind === Tok.Placeholder || kind === Tok.PsqlVariable || kind === Tok.TemplateHole) && scanner.nameEnd > scanner.nameStart) entry += `@${scanner.name}`;
    out.push(entry);
  }
  return out;
}

describe('SqlScanner', () => {
  it("reads E'…' strings with backslash escapes as one literal, and standard strings without", () => {
    assert.deepStrictEqual(tokens("SELECT E'it\\'s' || 'a\\'"), ['Word:SELECT', "String:E'it\\'s'", 'Operator:||', "String:'a\\'"]);
  });

  it('reads dollar quotes, tagged or not, and $n parameters apart', () => {
    assert.deepStrictEqual(tokens('SELECT $fn$ a ? b $$ $fn$, $$x$$, $1, a$b', ScanSyntax.Question), [
      'Word:SELECT',
      'DollarString:$fn$ a ? b $$ $fn$',
      'Punctuation:,',
      'DollarString:$$x$$',
      'Punctuation:,',
      'Parameter:$1',
      'Punctuation:,',
      'Word:a$b',
    ]);
  });

  it('nests PostgreSQL block comments and flags an unterminated one', () => {
    assert.deepStrictEqual(tokens('a /* x /* y */ z */ b /* open'), ['Word:a', 'BlockComment:/* x /* y */ z */', 'Word:b', 'BlockComment(unterminated):/* open']);
  });

  it("continues a string literal across a newline, as PostgreSQL does, and reads U&'…' and U&\"…\"", () => {
    assert.deepStrictEqual(tokens("SELECT 'a'\n  'b', U&'\\0041', U&\"x\""), ['Word:SELECT', "String:'a'\n  'b'", 'Punctuation:,', "String:U&'\\0041'", 'Punctuation:,', 'QuotedIdentifier:U&"x"']);
  });

  it("splits operators by PostgreSQL's rules", () => {
    assert.deepStrictEqual(tokens('a<-1 AND b @- 2 AND c::int'), ['Word:a', 'Operator:<', 'Operator:-', 'Number:1', 'Word:AND', 'Word:b', 'Operator:@-', 'Number:2', 'Word:AND', 'Word:c', 'Punctuation:::', 'Word:int']);
  });

  it('reads ? and ?? as placeholders only when the syntax says so; otherwise ? is an operator', () => {
    assert.deepStrictEqual(tokens("SELECT ?? FROM t WHERE a = ? AND b ?| '{x}'", ScanSyntax.Question), [
      'Word:SELECT',
      'Placeholder.QuestionIdentifier:??',
      'Word:FROM',
      'Word:t',
      'Word:WHERE',
      'Word:a',
      'Operator:=',
      'Placeholder.Question:?',
      'Word:AND',
      'Word:b',
      'Placeholder.Question:?',
      'Operator:|',
      "String:'{x}'",
    ]);
    assert.deepStrictEqual(tokens("tags ? 'x'"), ['Word:tags', 'Operator:?', "String:'x'"]);
  });

  it("reads Python's %s, %(name)s and %% as placeholders; a lone % stays the modulo operator", () => {
    assert.deepStrictEqual(tokens("a = %s AND b = %(id)s AND c % 2 = 0 AND d LIKE 'x%%'", ScanSyntax.Format), [
      'Word:a',
      'Operator:=',
      'Placeholder.FormatPositional:%s',
      'Word:AND',
      'Word:b',
      'Operator:=',
      'Placeholder.FormatNamed:%(id)s@id',
      'Word:AND',
      'Word:c',
      'Operator:%',
      'Number:2',
      'Operator:=',
      'Number:0',
      'Word:AND',
      'Word:d',
      'Word:LIKE',
      "String:'x%%'",
    ]);
  });

  it(':name by SQLAlchemy\'s rule: not a cast, not a slice, not after a word', () => {
    assert.deepStrictEqual(tokens('a::int = :id AND b[1:n] = x:y AND c = :v*:ids AND d = :i:col', ScanSyntax.Colon), [
      'Word:a',
      'Punctuation:::',
      'Word:int',
      'Operator:=',
      'Placeholder.Named::id@id',
      'Word:AND',
      'Word:b',
      'Punctuation:[',
      'Number:1',
      'Punctuation::',
      'Word:n',
      'Punctuation:]',
      'Operator:=',
      'Word:x',
      'Punctuation::',
      'Word:y',
      'Word:AND',
      'Word:c',
      'Operator:=',
      'Placeholder.NamedList::v*:ids@ids',
      'Word:AND',
      'Word:d',
      'Operator:=',
      'Placeholder.NamedText::i:col@col',
    ]);
  });

  it("reads psql's meta-commands and variables", () => {
    assert.deepStrictEqual(tokens("\\set n 5\nSELECT :n, :'s', :\"t\", :{?u}", ScanSyntax.Psql), [
      'PsqlCommand:\\set n 5',
      'Word:SELECT',
      'PsqlVariable::n@n',
      'Punctuation:,',
      "PsqlVariable::'s'@s",
      'Punctuation:,',
      'PsqlVariable::"t"@t',
      'Punctuation:,',
      'PsqlVariable::{?u}@u',
    ]);
  });

  it("reads sqlc's @name and PgTyped's $name and $$names only under their syntax", () => {
    assert.deepStrictEqual(tokens('a = @id AND b @> c', ScanSyntax.At), ['Word:a', 'Operator:=', 'Placeholder.Named:@id@id', 'Word:AND', 'Word:b', 'Operator:@>', 'Word:c']);
    assert.deepStrictEqual(tokens('a = $id! AND b IN $$ids', ScanSyntax.DollarName), ['Word:a', 'Operator:=', 'Placeholder.Named:$id!@id', 'Word:AND', 'Word:b', 'Word:IN', 'Placeholder.NamedList:$$ids@ids']);
  });

  it('reads template holes: {{…}}, {% … %}, {name:Type} and %name%', () => {
    assert.deepStrictEqual(tokens("WHERE id = {{id::uuid}} {% if x %}AND a = {a:UInt32}{% endif %} AND %query% ORDER BY %order% LIMIT 5 % 2", ScanSyntax.Templates), [
      'Word:WHERE',
      'Word:id',
      'Operator:=',
      'TemplateHole:{{id::uuid}}@id',
      'TemplateHole:{% if x %}@if',
      'Word:AND',
      'Word:a',
      'Operator:=',
      'TemplateHole:{a:UInt32}@a',
      'TemplateHole:{% endif %}@endif',
      'Word:AND',
      'TemplateHole:%query%@query',
      'Word:ORDER',
      'Word:BY',
      'TemplateHole:%order%@order',
      'Word:LIMIT',
      'Number:5',
      'Operator:%',
      'Number:2',
    ]);
  });

  it('reads MySQL: # comments, backslash escapes, backticks and double-quoted strings', () => {
    assert.deepStrictEqual(tokens("SELECT `a`, 'b\\'c', \"d\" # note\n--x", ScanSyntax.None, 'mysql'), [
      'Word:SELECT',
      'QuotedIdentifier:`a`',
      'Punctuation:,',
      "String:'b\\'c'",
      'Punctuation:,',
      'String:"d"',
      'LineComment:# note',
      'Operator:-',
      'Operator:-',
      'Word:x',
    ]);
  });

  it('reads SQLite: [bracket] identifiers', () => {
    assert.deepStrictEqual(tokens('SELECT [a b] FROM t', ScanSyntax.None, 'sqlite'), ['Word:SELECT', 'QuotedIdentifier:[a b]', 'Word:FROM', 'Word:t']);
  });

  it('reads a NUL as a hole of the host language', () => {
    assert.deepStrictEqual(tokens('a = \u0000 AND b'), ['Word:a', 'Operator:=', 'Hole:\u0000', 'Word:AND', 'Word:b']);
  });
});
