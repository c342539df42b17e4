// Generates the TextMate injection grammars in this folder (see README.md):
//
//   node syntaxes/build.mjs           writes syntaxes/*.tmLanguage.json
//   node syntaxes/build.mjs --check   exits 1 if a committed grammar differs from what it would write
//
// The grammars reuse the host grammars' own rules by include (`source.ts#template-substitution-element`,
// `source.python#fstring-guts`, ...), and the Python string rules are copied from the host grammar
// that VS Code ships (node_modules/tm-grammars, the same files) so that a string we take over keeps
// exactly the host's scopes for its quotes, prefixes, escapes and placeholders.
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const HOST_GRAMMARS = path.join(HERE, '..', 'node_modules', 'tm-grammars', 'grammars');

function hostGrammar(file) {
  return JSON.parse(fs.readFileSync(path.join(HOST_GRAMMARS, file), 'utf8'));
}

function requireRules(grammar, scopeName, names) {
  for (const name of names) {
    if (!grammar.repository?.[name]) {
      throw new Error(`${scopeName} has no rule #${name}; the host grammar changed, update build.mjs`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The SQL between the host's delimiters.
//
// source.sql's own strings, comments and [brackets] are multi-line rules that end only at their own
// closing character: an unterminated `'` or a `-- comment` at the end of a one-line template would
// swallow the host's closing quote and run on over the following lines. So those constructs are
// redefined here with the same scopes and one more way to end: just before the host's delimiter
// (and, in a one-line host string, before the end of the line). They also accept the host's holes
// (`${...}`, f-string `{...}`) and escapes, which stay the host's.
// ---------------------------------------------------------------------------------------------

/**
 * @param {object} o
 * @param {string} o.delim  regex of the host's closing delimiter
 * @param {string} [o.eol]  regex (zero-width) that also ends nested constructs, for one-line host strings
 * @param {object[]} o.inner patterns the host applies inside its string (holes, escapes, placeholders)
 */
function sqlBody({ delim, eol, inner }) {
  const stop = `(?=${delim})` + (eol ? `|${eol}` : '');
  const quoted = (quote, name) => ({
    begin: quote,
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.sql' } },
    end: `${stop}|${quote}`,
    endCaptures: { 0: { name: 'punctuation.definition.string.end.sql' } },
    name,
    patterns: inner,
  });
  const patterns = [...inner];
  // A quote that is the host's own one-character delimiter closes the host string, never opens a
  // SQL one. (Inside '''...''', a single ' does open one; it ends before ''' at the latest.)
  if (delim !== "'") patterns.push(quoted("'", 'string.quoted.single.sql'));
  if (delim !== '"') patterns.push(quoted('"', 'string.quoted.double.sql'));
  if (delim !== '`') patterns.push(quoted('`', 'string.quoted.other.backtick.sql'));
  patterns.push(
    {
      begin: '--',
      beginCaptures: { 0: { name: 'punctuation.definition.comment.sql' } },
      end: `${stop}|$`,
      name: 'comment.line.double-dash.sql',
      patterns: inner,
    },
    {
      begin: '/\\*',
      beginCaptures: { 0: { name: 'punctuation.definition.comment.sql' } },
      end: `${stop}|\\*/`,
      endCaptures: { 0: { name: 'punctuation.definition.comment.sql' } },
      name: 'comment.block.sql',
      patterns: inner,
    },
    {
      begin: '\\[',
      beginCaptures: { 0: { name: 'punctuation.definition.bracket.begin.sql' } },
      end: `${stop}|\\]`,
      endCaptures: { 0: { name: 'punctuation.definition.bracket.end.sql' } },
      applyEndPatternLast: 1,
      name: 'text.bracketed',
      patterns: [...inner, { match: '\\]\\]', name: 'constant.character.bracket.sql' }],
    },
    // source.sql's %{...} and %r{...} strings only close at "}"; keep them from opening.
    { match: '%r?(?=\\{)' },
    { include: 'source.sql' },
  );
  return patterns;
}

// ---------------------------------------------------------------------------------------------
// TypeScript, JavaScript and their JSX forms
// ---------------------------------------------------------------------------------------------

const ID = '[$_[:alpha:]][$_[:alnum:]]*';
// Type arguments, nested up to three levels: sql<User>`...`, pool.query<Row<Id>>(...)
const TYPE_ARGS = '<(?:[^<>`\\n]|<(?:[^<>`\\n]|<[^<>`\\n]*>)*>)*>';
// The last name before the template: sql`...`, Prisma.sql`...`, db.sql`...`, prisma.$queryRaw`...`,
// tx.$executeRaw`...`, SQL`...` (sql-template-strings), sql.fragment`...` and sql.unsafe`...` (slonik).
const TAGS = '(?:sql\\s*\\??\\.\\s*(?:fragment|unsafe)|sql|SQL|\\$queryRaw|\\$executeRaw)(?![$_[:alnum:]])';
// Calls whose first argument is SQL: pg, mysql2, Sequelize and TypeORM (query, execute), knex (raw and
// the *Raw builders), Prisma's unsafe forms, postgres.js (sql.unsafe). Used inside a look-behind,
// where Oniguruma cannot nest another look-around: hence the (?:^|[^...]) word boundary.
const TS_CALLEES = [
  'query',
  'execute',
  'raw',
  'whereRaw',
  'orWhereRaw',
  'andWhereRaw',
  'havingRaw',
  'orHavingRaw',
  'orderByRaw',
  'groupByRaw',
  'joinRaw',
  'fromRaw',
  '\\$queryRawUnsafe',
  '\\$executeRawUnsafe',
];
const TS_CALLEE = `(?:(?:^|[^$_[:alnum:]])(?:${TS_CALLEES.join('|')})|(?:^|[^$_[:alnum:]])sql\\s*\\??\\.\\s*unsafe)`;
// Right after the call's "(" (and blanks): pool.query(`...`, pool.query<Row>('...'. The gate is a
// short look-behind that the body implies (see `after` in tsFamily).
const TS_AFTER_CALL_PAREN = { gate: '[(\\s]', body: `${TS_CALLEE}(?:${TYPE_ARGS})?\\(\\s*` };

function tsFamily({ host, suffix, language, hostFile }) {
  const X = suffix;
  const grammar = hostGrammar(hostFile);
  if (grammar.scopeName !== host) throw new Error(`${hostFile} is ${grammar.scopeName}, expected ${host}`);
  requireRules(grammar, host, [
    'template-substitution-element',
    'string-character-escape',
    'type-arguments',
    'support-function-call-identifiers',
    'expression',
  ]);
  const qEnd = (q) => {
    const rule = grammar.repository[q === "'" ? 'qstring-single' : 'qstring-double'];
    if (rule.begin !== q) throw new Error(`${host}: unexpected qstring rule`);
    return rule.end;
  };
  const holes = [{ include: `${host}#template-substitution-element` }];
  const escapes = [{ include: `${host}#string-character-escape` }];

  // `context` says what must come before the string: `body`, a look-behind's body, and `gate`, a short
  // fixed-length one that `body` implies. Both are checked at the end of the begin pattern, over the
  // opening quote, the gate first: Oniguruma then looks for the quote first and runs the long,
  // variable-length look-behind only where the gate lets it. (A variable-length look-behind is tried
  // from every position back to the start of the line; put first, it costs more than the host
  // grammar itself.)
  const after = (context, quote) =>
    context ? `(?<=${context.gate}${quote})(?<=${context.body}${quote})` : '';
  /** A template literal whose content is SQL, opened by `begin` (whose last group is the backtick). */
  const template = (begin, beginCaptures) => ({
    begin,
    beginCaptures,
    end: '`',
    endCaptures: { 0: { name: `string.template.${X} punctuation.definition.string.template.end.${X}` } },
    contentName: `string.template.${X} meta.embedded.block.sql`,
    patterns: [{ include: '#template-sql' }],
  });
  const backtick = { name: `string.template.${X} punctuation.definition.string.template.begin.${X}` };
  const quoted = (context, q) => ({
    begin: `(${q})${after(context, q)}`,
    beginCaptures: { 1: { name: `punctuation.definition.string.begin.${X}` } },
    end: qEnd(q),
    endCaptures: {
      1: { name: `punctuation.definition.string.end.${X}` },
      2: { name: `invalid.illegal.newline.${X}` },
    },
    name: `string.quoted.${q === "'" ? 'single' : 'double'}.${X}`,
    contentName: 'meta.embedded.block.sql',
    patterns: [{ include: q === "'" ? '#qstring-single-sql' : '#qstring-double-sql' }],
  });
  const firstArgument = (context) => [
    template(`(\`)${after(context, '`')}`, { 1: backtick }),
    quoted(context, "'"),
    quoted(context, '"'),
  ];

  return {
    information_for_contributors: [
      'Generated by syntaxes/build.mjs from node_modules/tm-grammars; do not edit by hand.',
    ],
    name: `SQL in ${language} (Query Lens)`,
    scopeName: `inline.query-lens.sql.${X}`,
    // Code only: not inside comments, and not inside strings, except inside a `${...}` hole of a
    // template (meta.embedded.line), so that sql`... ${sql`...`} ...` nests. A JSX root is also a
    // source.js scope, so the JavaScript grammar leaves it to the JSX one.
    injectionSelector:
      `L:${host} -comment -(string - meta.embedded.line)` + (host === 'source.js' ? ' -source.js.jsx' : ''),
    patterns: [
      { include: '#comment-marked' },
      { include: '#tagged-template' },
      { include: '#slonik-typed-template' },
      { include: '#call-first-argument' },
      { include: '#call-first-argument-next-line' },
    ],
    repository: {
      'comment-marked': {
        comment: "/* sql */ `...` (or '...', \"...\"): a block comment saying sql, then the string.",
        begin: `((/\\*)\\s*(?i:sql)\\s*(\\*/))\\s*(?=[\`'"])`,
        beginCaptures: {
          1: { name: `comment.block.${X}` },
          2: { name: `punctuation.definition.comment.${X}` },
          3: { name: `punctuation.definition.comment.${X}` },
        },
        end: `(?<=[\`'"])`,
        patterns: firstArgument(''),
      },
      'tagged-template': {
        comment:
          'sql`...`, Prisma.sql`...`, prisma.$queryRaw<T>`...`. Starts where the host\'s #template-call would ' +
          '(at the first name of the chain) so that rule never opens, and consumes the names itself, ' +
          'scoped by the host\'s own rules.',
        ...template(`(?<![$_[:alnum:]\`])((?:\\??\\.\\s*)?(?:${ID}\\s*\\??\\.\\s*)*${TAGS})\\s*(${TYPE_ARGS})?\\s*(\`)`, {
          1: {
            patterns: [
              { include: `${host}#support-function-call-identifiers` },
              { match: `#?${ID}`, name: `entity.name.function.tagged-template.${X}` },
            ],
          },
          2: { patterns: [{ include: `${host}#type-arguments` }] },
          3: backtick,
        }),
      },
      'slonik-typed-template': {
        comment: 'slonik: sql.type(Schema)`...`, sql.typeAlias(\'name\')`...` (arguments without nested parentheses).',
        ...template(
          `(?<![$_[:alnum:]\`])(sql)\\s*(\\??\\.)\\s*(type|typeAlias)\\s*(\\()([^()\`]*)(\\))\\s*(\`)`,
          {
            1: { name: `variable.other.object.${X}` },
            2: { name: `punctuation.accessor.${X}` },
            3: { name: `entity.name.function.${X}` },
            4: { name: `meta.brace.round.${X}` },
            5: { patterns: [{ include: `${host}#expression` }] },
            6: { name: `meta.brace.round.${X}` },
            7: backtick,
          },
        ),
      },
      'call-first-argument': {
        comment: "pool.query(`...`, knex.raw('...'), db.whereRaw(\"...\"): the first argument, on the line of the call.",
        patterns: firstArgument(TS_AFTER_CALL_PAREN),
      },
      'call-first-argument-next-line': {
        comment:
          'pool.query(⏎ `...`: the call ends its line with "(" and the first argument starts a later one. ' +
          'Stays open over blank space only; the first thing that is not one of our strings closes it.',
        begin: `(?<=[(\\s])\\n(?<=${TS_AFTER_CALL_PAREN.body}\\n)`,
        end: `(?<=[\`'"])|(?=\\S)`,
        applyEndPatternLast: 1,
        patterns: firstArgument(''),
      },
      'template-sql': {
        patterns: sqlBody({ delim: '`', inner: [...holes, ...escapes] }),
      },
      'qstring-single-sql': {
        patterns: sqlBody({ delim: "'", eol: '(?=[^\\n\\\\]$)', inner: escapes }),
      },
      'qstring-double-sql': {
        patterns: sqlBody({ delim: '"', eol: '(?=[^\\n\\\\]$)', inner: escapes }),
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Python
// ---------------------------------------------------------------------------------------------

// DB-API (execute, executemany, executescript), asyncpg (execute, fetch, fetchrow, fetchval,
// fetchmany), Django (Model.objects.raw), SQLAlchemy (text). `fetch*` and `raw` only as methods;
// `text` only bare (from sqlalchemy import text) or as sa./sqlalchemy./sql./expression.text, not
// st.text("Select a file"). A look-behind, hence the (?:^|[^...]) boundaries.
const PY_CALLEE =
  '(?:\\.(?:execute|executemany|executescript|fetch|fetchrow|fetchval|fetchmany|raw)' +
  '|(?:^|[^\\w.])(?:execute|executemany|executescript|text)' +
  '|(?:^|[^\\w.])(?:sa|sqlalchemy|sql|expression)\\.text)';
// Right after the call's "("; the gate is the last character of every callee and the parenthesis.
const PY_AFTER_CALL_PAREN = { gate: '[ehltwy]\\(', body: `${PY_CALLEE}\\(` };
// The scope of the span that holds a call's first argument (see #call-argument).
const CALL_ARGUMENT = 'meta.function-call.arguments.sql';
// Before a SQL-looking triple-quoted string: something on its line, then a character that cannot
// be part of a name (which pins down where the string's prefix starts).
const NOT_LINE_START = '(?:\\S\\s*[^\\w]|[^\\w\\s])';
// Text that starts a SQL statement, for triple-quoted strings that are not call arguments. A keyword
// alone is not enough ("Select a file", "With kind regards", "Update the list"): it must be
// followed by what SQL puts there, or end its line (SELECT⏎  id, ...).
const W = '[\\w".`$\']+'; // a name, qualified or quoted, a number, a literal
const OBJECT =
  '(?:table|index|view|materialized\\s+view|function|procedure|trigger|schema|sequence|type|extension|database|role|user|policy|domain|aggregate|rule)\\b';
const SQL_START =
  '(?i:' +
  [
    `select(?:\\s*$|\\s+(?:distinct\\b|\\*|${W}\\s*(?:$|[,(+\\-*/|<>=]|\\bfrom\\b|\\bas\\b)))`,
    'insert(?:\\s*$|\\s+(?:into|ignore|or)\\b)',
    `update(?:\\s*$|\\s+(?:only\\s+)?${W}\\s*(?:$|\\bset\\b))`,
    'delete(?:\\s*$|\\s+from\\b)',
    `with(?:\\s*$|\\s+recursive\\b|\\s+${W}\\s*(?:\\([^)]*\\)\\s*)?as\\s*(?:(?:not\\s+)?materialized\\s*)?(?:\\(|$))`,
    `create\\s+(?:or\\s+replace\\s+)?(?:(?:unique|temp|temporary|unlogged|global|local)\\s+)*${OBJECT}`,
    `(?:alter|drop)\\s+${OBJECT}`,
    `truncate\\s+(?:table\\b|${W}\\s*(?:;|$))`,
    'merge\\s+into\\b',
    'explain(?:\\s*$|\\s*\\(|\\s+(?:analyze|verbose|select|insert|update|delete|with)\\b)',
    '(?:grant|revoke)\\s+(?:select|insert|update|delete|usage|execute|connect|references|trigger|all\\s+(?:privileges|on))\\b',
  ].join('|') +
  ')';

function python() {
  const host = 'source.python';
  const grammar = hostGrammar('python.json');
  if (grammar.scopeName !== host) throw new Error(`python.json is ${grammar.scopeName}`);

  // The kinds of string we take over, each from the host rule that reads it: same captures, same
  // end, same scope names. `begin` is the host's, except that lower-case r'...' (a regular
  // expression to the host) is read like R'...', as a raw string. `prefix` matches the same
  // prefixes, for look-behinds over the string's start. `first` lists the characters `begin` can
  // start with, for a look-ahead put in front of it: the host's patterns start with optional groups
  // holding \b and a look-ahead, which keep Oniguruma from skipping ahead to a possible first
  // character (5 to 10 times slower). Bytes (b'...') are not SQL here.
  const QUOTE_GROUP = { "'''": "(''')", '"""': '(""")', "'": "(')", '"': '(")' };
  const KINDS = {
    plain: {
      single: 'string-quoted-single-line',
      multi: 'string-quoted-multi-line',
      begin: (q) => `(?:\\b([Rr])(?=[Uu]))?([Uu])?(${QUOTE_GROUP[q]})`,
      prefix: '(?:[Rr]?[Uu])?',
      first: (q) => `RrUu${q[0]}`,
    },
    raw: {
      single: 'string-raw-quoted-single-line',
      multi: 'string-raw-quoted-multi-line',
      begin: (q) => `\\b(([Uu][Rr])|([Rr]))(${QUOTE_GROUP[q]})`,
      prefix: '[Uu]?[Rr]',
      first: () => 'UuRr',
    },
    f: {
      single: 'fstring-fnorm-quoted-single-line',
      multi: 'fstring-fnorm-quoted-multi-line',
      begin: (q) => `\\b([Ff])([BUbu])?(${QUOTE_GROUP[q]})`,
      prefix: '[Ff][BUbu]?',
      first: () => 'Ff',
    },
    rawf: {
      single: 'fstring-raw-quoted-single-line',
      multi: 'fstring-raw-quoted-multi-line',
      begin: (q) => `\\b([Rr][Ff]|[Ff][Rr])${QUOTE_GROUP[q]}`,
      prefix: '(?:[Rr][Ff]|[Ff][Rr])',
      first: () => 'RrFf',
    },
  };
  const QUOTES = { "'''": 'tsq', '"""': 'tdq', "'": 'sq', '"': 'dq' };
  const ALL_QUOTES = ["'''", '"""', "'", '"']; // triple first: ''' must not be read as ''
  const TRIPLE = ["'''", '"""'];
  const CORE = /^#fstring(-raw)?-(single|multi)-core$/; // the host's text of an f-string
  const isTriple = (q) => q.length === 3;
  const hostRule = (kind, q) => {
    const name = KINDS[kind][isTriple(q) ? 'multi' : 'single'];
    requireRules(grammar, host, [name]);
    return grammar.repository[name];
  };
  const qualify = (patterns) =>
    patterns.map((p) => ({ include: p.include.startsWith('#') ? host + p.include : p.include }));
  const start = (kind, q) => `(?=[${KINDS[kind].first(q)}])${KINDS[kind].begin(q)}`;

  const repository = {};
  // The SQL inside each kind of string, with the host's own guts kept (escapes, %s and {}
  // placeholders, f-string holes).
  for (const kind of Object.keys(KINDS)) {
    for (const q of ALL_QUOTES) {
      const guts = qualify(hostRule(kind, q).patterns.filter((p) => !CORE.test(p.include)));
      for (const p of guts) requireRules(grammar, host, [p.include.slice(host.length + 1)]);
      const gutsName = `guts-${kind}-${isTriple(q) ? 'multi' : 'single'}`;
      repository[gutsName] = { patterns: guts };
      repository[`body-${kind}-${QUOTES[q]}`] = {
        patterns: sqlBody({
          delim: q,
          eol: isTriple(q) ? undefined : '(?=(?<!\\\\)\\n)',
          inner: [{ include: `#${gutsName}` }],
        }),
      };
    }
  }

  /** This kind of string, read by the host's rule, all SQL. */
  const sqlString = (kind, q) => {
    const rule = hostRule(kind, q);
    return {
      begin: start(kind, q),
      beginCaptures: rule.beginCaptures,
      end: rule.end,
      endCaptures: rule.endCaptures,
      name: rule.name,
      contentName: 'meta.embedded.block.sql',
      patterns: [{ include: `#body-${kind}-${QUOTES[q]}` }],
    };
  };
  /**
   * A triple-quoted string that is SQL if its text starts like SQL, on the line of the quotes (\G)
   * or on the first line after them that is not blank (^); otherwise read exactly as the host reads
   * it. `context`: look-behinds over the prefix and quotes.
   */
  const sqlIfItLooksLikeIt = (kind, q, context) => {
    const rule = hostRule(kind, q);
    return {
      begin: `${start(kind, q)}${context}`,
      beginCaptures: rule.beginCaptures,
      end: rule.end,
      endCaptures: rule.endCaptures,
      name: rule.name,
      patterns: [
        {
          begin: `(?:\\G|^)(?=\\s*${SQL_START})`,
          end: `(?=${q})`,
          name: 'meta.embedded.block.sql',
          patterns: [{ include: `#body-${kind}-${QUOTES[q]}` }],
        },
        { begin: '(?:\\G|^)(?=\\s*\\S)', end: `(?=${q})`, patterns: qualify(rule.patterns) },
      ],
    };
  };
  // Look-behinds are checked at the end of the begin pattern, over the prefix and quotes, the short
  // fixed-length one first: Oniguruma then looks for the string first and runs the long,
  // variable-length one only there. (A variable-length look-behind is tried from every position back
  // to the start of the line; put first, it costs more than the host grammar itself.)
  const notLineStart = (kind, q) =>
    `(?<=[^\\w]${KINDS[kind].prefix}${q})(?<=${NOT_LINE_START}${KINDS[kind].prefix}${q})`;
  // What may follow the "(" of #call-argument on its line: exactly what its patterns can read.
  const stringStart = Object.values(KINDS)
    .map((k) => k.begin("'").replace("(')", `['"]`))
    .join('|');

  repository['call-argument'] = {
    comment:
      'cursor.execute("..."), text(f"..."), conn.fetch(⏎ r"""...""", and "..." "..." (implicit ' +
      'concatenation). Opens right after the "(" when a string or the end of the line follows, stays ' +
      'open over blank space and strings, and closes before anything else. It is zero-width where it ' +
      'opens, so the injection selector excludes its scope: opening it again there would loop.',
    begin: `(?<=${PY_AFTER_CALL_PAREN.gate})(?<=${PY_AFTER_CALL_PAREN.body})(?=\\s*(?:$|${stringStart}))`,
    end: '(?=\\S)',
    applyEndPatternLast: 1,
    name: CALL_ARGUMENT,
    patterns: ALL_QUOTES.flatMap((q) => Object.keys(KINDS).map((kind) => sqlString(kind, q))),
  };
  // Not the argument of a call we know: triple-quoted strings whose text starts like SQL. Never one
  // that begins its line, which may be a docstring (the host tells those apart with a rule that has
  // no scope), except after a line that ends with an opening bracket or a comma.
  repository['sql-looking-string'] = {
    comment: 'QUERY = """SELECT ...""", QUERY = f"""⏎    SELECT ...⏎""".',
    patterns: TRIPLE.flatMap((q) =>
      ['plain', 'f'].map((kind) => sqlIfItLooksLikeIt(kind, q, notLineStart(kind, q))),
    ),
  };
  repository['sql-looking-string-next-line'] = {
    comment: 'read_sql(⏎ """⏎ SELECT ...: after a line that ends with "(", "[", "{" or ",".',
    begin: '(?<=[(\\[{,\\s])\\n(?<=[(\\[{,]\\s*\\n)',
    end: '(?=\\S)',
    applyEndPatternLast: 1,
    patterns: TRIPLE.flatMap((q) => ['plain', 'f'].map((kind) => sqlIfItLooksLikeIt(kind, q, ''))),
  };

  return {
    information_for_contributors: [
      'Generated by syntaxes/build.mjs from node_modules/tm-grammars; do not edit by hand.',
    ],
    name: 'SQL in Python (Query Lens)',
    scopeName: 'inline.query-lens.sql.python',
    // Code only: not in comments, strings, f-string holes, our SQL, or where #call-argument is open.
    injectionSelector: `L:${host} -comment -string -meta.fstring -meta.embedded.block.sql -${CALL_ARGUMENT}`,
    patterns: [
      { include: '#call-argument' },
      { include: '#sql-looking-string' },
      { include: '#sql-looking-string-next-line' },
    ],
    repository,
  };
}

// ---------------------------------------------------------------------------------------------

export const GRAMMARS = [
  {
    file: 'sql-in-typescript.tmLanguage.json',
    grammar: () => tsFamily({ host: 'source.ts', suffix: 'ts', language: 'TypeScript', hostFile: 'typescript.json' }),
    injectTo: ['source.ts'],
    embeddedLanguages: { 'meta.embedded.block.sql': 'sql', 'meta.embedded.line.ts': 'typescript' },
  },
  {
    file: 'sql-in-typescriptreact.tmLanguage.json',
    grammar: () => tsFamily({ host: 'source.tsx', suffix: 'tsx', language: 'TypeScript JSX', hostFile: 'tsx.json' }),
    injectTo: ['source.tsx'],
    embeddedLanguages: { 'meta.embedded.block.sql': 'sql', 'meta.embedded.line.tsx': 'typescriptreact' },
  },
  {
    file: 'sql-in-javascript.tmLanguage.json',
    grammar: () => tsFamily({ host: 'source.js', suffix: 'js', language: 'JavaScript', hostFile: 'javascript.json' }),
    injectTo: ['source.js'],
    embeddedLanguages: { 'meta.embedded.block.sql': 'sql', 'meta.embedded.line.js': 'javascript' },
  },
  {
    file: 'sql-in-javascriptreact.tmLanguage.json',
    grammar: () =>
      tsFamily({ host: 'source.js.jsx', suffix: 'js.jsx', language: 'JavaScript JSX', hostFile: 'jsx.json' }),
    injectTo: ['source.js.jsx'],
    embeddedLanguages: { 'meta.embedded.block.sql': 'sql', 'meta.embedded.line.js.jsx': 'javascriptreact' },
  },
  {
    file: 'sql-in-python.tmLanguage.json',
    grammar: python,
    injectTo: ['source.python'],
    embeddedLanguages: { 'meta.embedded.block.sql': 'sql' },
  },
];

/** The `contributes.grammars` entries for package.json, paths relative to the repository root. */
export const CONTRIBUTES_GRAMMARS = GRAMMARS.map(({ file, grammar, injectTo, embeddedLanguages }) => ({
  scopeName: grammar().scopeName,
  path: `./syntaxes/${file}`,
  injectTo,
  embeddedLanguages,
}));

function main() {
  if (process.argv.includes('--contributes')) {
    console.log(JSON.stringify(CONTRIBUTES_GRAMMARS, null, 2));
    return 0;
  }
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, grammar } of GRAMMARS) {
    const text = JSON.stringify(grammar(), null, 2) + '\n';
    const target = path.join(HERE, file);
    if (check) {
      const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      if (current !== text) {
        console.error(`syntaxes/${file} is out of date: run node syntaxes/build.mjs`);
        stale++;
      }
    } else {
      fs.writeFileSync(target, text);
      console.log(`wrote syntaxes/${file} (${text.length} bytes)`);
    }
  }
  if (check && stale === 0) console.log(`syntaxes: the ${GRAMMARS.length} grammars are up to date`);
  return stale ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main());
}
