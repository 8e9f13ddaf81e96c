/*
** errdoc.c: keeps doc/errors.md and the messages in the code in step.
**
** Usage: errdoc list SOURCE...
**        errdoc check DOC SOURCE...
**        errdoc known DOC FILE...
**
** The tool reads C sources with a small tokenizer (comments, string and
** character literals, preprocessor lines) and finds every message naryn
** can print. A message is the format string given to a message function:
**
** - naryn__vdiag, which stores a diagnostic (its format is argument 8);
** - any function that passes one of its own parameters on as the format
**   of a message function, such as naryn__diag, naryn__read_fail or a
**   file's static bad() helper; such helpers are found by reading their
**   definitions, so a new helper needs no change here;
** - vfprintf(stderr, ...) (which makes cli_error one), and fprintf(stderr,
**   ...) when the text starts with "naryn: ", the mark of every line the
**   command prints itself; that mark is not part of the template.
**
** A template is the message with its printf conversions reduced to %s
** (strings), %d (whole numbers), %g (other numbers) and %c; adjacent
** literals are joined and "a ? X : Y" gives both X and Y. A format that is
** not a string literal cannot be listed and is reported as a fault.
**
** "list" prints one line per call, "FILE:LINE: TEMPLATE (STATUS)", where
** STATUS is the library status the call gives when the code names it.
**
** "known DOC FILE..." checks that every line of the FILEs (such as the
** expected first lines of tests/bad) ends with the message of an entry of
** DOC, so that what naryn really printed is documented too.
**
** "check" compares the templates with the entries of DOC. An entry is a
** heading line "#### `TEMPLATE`" followed by a fenced code block with at
** least one example line that ends with the message (placeholders match
** any text, numbers for %d and %g) and prose that gives its exit status
** (the words "exit status" must appear).
** Messages in the code but not in DOC, entries no longer in the code,
** entries listed twice and entries without a matching example or exit
** status are printed with their FILE:LINE; the exit status is then 1.
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fputs("errdoc: out of memory\n", stderr);
    exit(2);
  }
  return q;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = xrealloc(NULL, n);
  memcpy(c, s, n);
  return c;
}

/* A growing string. */
typedef struct buf {
  char *s;
  size_t n, cap;
} buf;

static void buf_addn(buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->s = xrealloc(b->s, b->cap);
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void buf_add(buf *b, const char *s) { buf_addn(b, s, strlen(s)); }

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "errdoc: cannot read %s\n", path);
    exit(2);
  }
  buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_addn(&b, chunk, n);
  fclose(f);
  if (!b.s) buf_add(&b, "");
  return b.s;
}

/* ---------------------------------------------------------------------- */
/* Tokens                                                                 */
/* ---------------------------------------------------------------------- */

enum { T_IDENT, T_STRING, T_CHAR, T_NUMBER, T_PUNCT };

typedef struct token {
  int kind;
  int line;
  const char *text; /* start in the file's text */
  size_t len;
} token;

typedef struct source {
  const char *path;
  char *text;
  token *t;
  int n, cap;
} source;

static void add_token(source *s, int kind, int line, const char *p, size_t len) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->t = xrealloc(s->t, (size_t)s->cap * sizeof *s->t);
  }
  s->t[s->n++] = (token){kind, line, p, len};
}

/* Splits a C file into tokens, dropping comments and preprocessor lines. */
static void tokenize(source *s) {
  const char *p = s->text;
  int line = 1, at_line_start = 1;
  while (*p) {
    if (*p == '\n') {
      line++;
      at_line_start = 1;
      p++;
    } else if (isspace((unsigned char)*p)) {
      p++;
    } else if (p[0] == '/' && p[1] == '/') {
      while (*p && *p != '\n') p++;
    } else if (p[0] == '/' && p[1] == '*') {
      p += 2;
      while (*p && !(p[0] == '*' && p[1] == '/')) line += *p++ == '\n';
      if (*p) p += 2;
    } else if (*p == '#' && at_line_start) {
      /* A preprocessor line, with its continuations. */
      while (*p && *p != '\n') {
        if (p[0] == '\\' && p[1] == '\n') {
          line++;
          p++;
        }
        p++;
      }
    } else if (*p == '"' || *p == '\'') {
      char q = *p;
      const char *start = p++;
      while (*p && *p != q && *p != '\n') p += (p[0] == '\\' && p[1]) ? 2 : 1;
      if (*p == q) p++;
      add_token(s, q == '"' ? T_STRING : T_CHAR, line, start, (size_t)(p - start));
      at_line_start = 0;
    } else if (isalpha((unsigned char)*p) || *p == '_') {
      const char *start = p;
      while (isalnum((unsigned char)*p) || *p == '_') p++;
      add_token(s, T_IDENT, line, start, (size_t)(p - start));
      at_line_start = 0;
    } else if (isdigit((unsigned char)*p)) {
      const char *start = p;
      while (isalnum((unsigned char)*p) || *p == '.' || *p == '_' ||
             ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E')))
        p++;
      add_token(s, T_NUMBER, line, start, (size_t)(p - start));
      at_line_start = 0;
    } else {
      add_token(s, T_PUNCT, line, p, 1);
      p++;
      at_line_start = 0;
    }
  }
}

static int is(const token *t, const char *text) {
  return t->len == strlen(text) && memcmp(t->text, text, t->len) == 0;
}

static int is_punct(const token *t, char c) {
  return t->kind == T_PUNCT && t->text[0] == c;
}

/* Index of the token that closes the bracket opened at i, or n. */
static int closing(const source *s, int i) {
  int depth = 0;
  for (int k = i; k < s->n; k++) {
    const token *t = &s->t[k];
    if (t->kind != T_PUNCT) continue;
    char c = t->text[0];
    if (c == '(' || c == '[' || c == '{') depth++;
    if (c == ')' || c == ']' || c == '}')
      if (--depth == 0) return k;
  }
  return s->n;
}

/* The arguments of a call whose '(' is at 'open': ranges [a, b). */
typedef struct args {
  int a[32], b[32];
  int n;
} args;

static int split_args(const source *s, int open, args *out) {
  int close = closing(s, open);
  out->n = 0;
  if (close >= s->n) return -1;
  if (close == open + 1) return close;
  int depth = 0, start = open + 1;
  for (int k = open + 1; k <= close; k++) {
    const token *t = &s->t[k];
    if (t->kind == T_PUNCT) {
      char c = t->text[0];
      if (c == '(' || c == '[' || c == '{') depth++;
      if ((c == ')' || c == ']' || c == '}') && k < close) depth--;
      if ((c == ',' && depth == 0) || k == close) {
        if (out->n < 32) {
          out->a[out->n] = start;
          out->b[out->n] = k;
          out->n++;
        }
        start = k + 1;
      }
    }
  }
  return close;
}

/* ---------------------------------------------------------------------- */
/* Message functions                                                      */
/* ---------------------------------------------------------------------- */

/* A function whose argument 'fmt' (1-based) is a message. 'status' is the
** argument giving the library status (0 when fixed or none), or 'code' the
** fixed status's name. 'stream' is the argument that must be stderr. */
typedef struct msgfn {
  char *name;
  const source *file; /* the file of a static function, or NULL */
  int fmt, status, stream;
  char *code;
  int prefixed; /* counts only text starting "naryn: " */
} msgfn;

static msgfn fns[256];
static int nfns;

static void add_fn(const char *name, const source *file, int fmt, int status,
                   const char *code, int stream, int prefixed) {
  if (nfns == (int)(sizeof fns / sizeof *fns)) {
    fputs("errdoc: too many message functions\n", stderr);
    exit(2);
  }
  fns[nfns++] = (msgfn){xstrdup(name), file, fmt, status, stream,
                        code ? xstrdup(code) : NULL, prefixed};
}

/* The message function called by the identifier at t in file s, or NULL. */
static const msgfn *find_fn(const source *s, const token *t) {
  for (int i = 0; i < nfns; i++)
    if (is(t, fns[i].name) && (!fns[i].file || fns[i].file == s)) return &fns[i];
  return NULL;
}

/* 1 when the identifier at i names a function being declared or defined
** rather than called: it follows a type name or '*'. */
static int is_declarator(const source *s, int i) {
  if (i == 0) return 1;
  const token *p = &s->t[i - 1];
  if (p->kind == T_IDENT)
    return !(is(p, "return") || is(p, "else") || is(p, "case") || is(p, "do"));
  return is_punct(p, '*');
}

/* The name of the last identifier in [a, b), the parameter's name, or
** NULL. */
static const token *param_name(const source *s, int a, int b) {
  for (int k = b - 1; k >= a; k--)
    if (s->t[k].kind == T_IDENT) return &s->t[k];
  return NULL;
}

/* Index (1-based) of the parameter of the function whose parameter list is
** 'params' named like the single identifier in [a, b), or 0. */
static int param_index(const source *s, const args *params, int a, int b) {
  if (b != a + 1 || s->t[a].kind != T_IDENT) return 0;
  for (int j = 0; j < params->n; j++) {
    const token *nm = param_name(s, params->a[j], params->b[j]);
    if (nm && nm->len == s->t[a].len && memcmp(nm->text, s->t[a].text, nm->len) == 0)
      return j + 1;
  }
  return 0;
}

static int fn_known(const char *name, const source *file) {
  for (int i = 0; i < nfns; i++)
    if (strcmp(fns[i].name, name) == 0 && fns[i].file == file) return 1;
  return 0;
}

/* Finds, in the definitions of s, functions that pass a parameter on as a
** message. Returns how many were added. */
static int discover(const source *s) {
  int added = 0;
  for (int i = 0; i + 1 < s->n; i++) {
    if (s->t[i].kind != T_IDENT || !is_punct(&s->t[i + 1], '(')) continue;
    if (!is_declarator(s, i)) continue;
    args params;
    int close = split_args(s, i + 1, &params);
    if (close < 0 || close + 1 >= s->n || !is_punct(&s->t[close + 1], '{')) continue;
    int end = closing(s, close + 1);
    /* Static when 'static' comes before the name in its declaration. */
    int is_static = 0;
    for (int k = i - 1; k >= 0 && !is_punct(&s->t[k], ';') && !is_punct(&s->t[k], '}'); k--)
      if (is(&s->t[k], "static")) is_static = 1;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)s->t[i].len, s->t[i].text);
    if (fn_known(name, is_static ? s : NULL)) {
      i = end;
      continue;
    }
    for (int k = close + 2; k + 1 < end; k++) {
      if (s->t[k].kind != T_IDENT || !is_punct(&s->t[k + 1], '(')) continue;
      const msgfn *f = find_fn(s, &s->t[k]);
      if (!f) continue;
      args a;
      if (split_args(s, k + 1, &a) < 0 || a.n < f->fmt) continue;
      int fmt = param_index(s, &params, a.a[f->fmt - 1], a.b[f->fmt - 1]);
      if (!fmt) continue;
      if (f->stream) {
        int sa = a.a[f->stream - 1], sb = a.b[f->stream - 1];
        if (sb != sa + 1 || !is(&s->t[sa], "stderr")) continue;
      }
      int status = 0;
      char code[128] = "";
      if (f->status && a.n >= f->status) {
        int sa = a.a[f->status - 1], sb = a.b[f->status - 1];
        status = param_index(s, &params, sa, sb);
        if (!status && sb == sa + 1)
          snprintf(code, sizeof code, "%.*s", (int)s->t[sa].len, s->t[sa].text);
      } else if (f->code) {
        snprintf(code, sizeof code, "%s", f->code);
      }
      add_fn(name, is_static ? s : NULL, fmt, status, code[0] ? code : NULL, 0,
             f->prefixed);
      added++;
      break;
    }
    i = end;
  }
  return added;
}

/* ---------------------------------------------------------------------- */
/* Templates                                                              */
/* ---------------------------------------------------------------------- */

/* Appends the text of a string literal token, escapes decoded. */
static void add_literal(buf *b, const token *t) {
  const char *p = t->text + 1, *end = t->text + t->len - 1;
  while (p < end) {
    if (*p == '\\' && p + 1 < end) {
      char c = p[1];
      if (c == '"' || c == '\\' || c == '\'' || c == '?') {
        buf_addn(b, &p[1], 1);
      } else if (c == 'n') {
        buf_add(b, "\n");
      } else {
        buf_addn(b, p, 2);
      }
      p += 2;
    } else {
      buf_addn(b, p++, 1);
    }
  }
}

/* Reduces the printf conversions of a message to %s, %d, %g and %c, and
** drops a final newline. The result is allocated. */
static char *normalise(const char *m) {
  buf b = {0};
  buf_add(&b, "");
  for (const char *p = m; *p; p++) {
    if (*p != '%') {
      if (*p == '\n' && p[1] == '\0') break;
      buf_addn(&b, p, 1);
      continue;
    }
    const char *q = p + 1;
    if (*q == '%') {
      buf_add(&b, "%%");
      p = q;
      continue;
    }
    while (*q && strchr("-+ #0", *q)) q++;
    while (*q && (isdigit((unsigned char)*q) || *q == '*')) q++;
    if (*q == '.') q++;
    while (*q && (isdigit((unsigned char)*q) || *q == '*')) q++;
    while (*q && strchr("hlLqjzt", *q)) q++;
    const char *conv = "%?";
    if (*q && strchr("diuxXo", *q)) conv = "%d";
    else if (*q && strchr("fFeEgGaA", *q)) conv = "%g";
    else if (*q == 's') conv = "%s";
    else if (*q == 'c') conv = "%c";
    else if (*q == 'p') conv = "%p";
    buf_add(&b, conv);
    if (!*q) break;
    p = q;
  }
  return b.s;
}

/* A message found in the code. */
typedef struct found {
  char *tmpl;
  const char *file;
  int line;
  char *code; /* the status the call gives, or NULL */
} found;

static found *msgs;
static int nmsgs, capmsgs;
static int faults;

static void add_msg(const char *tmpl, const source *s, int line, const char *code) {
  if (nmsgs == capmsgs) {
    capmsgs = capmsgs ? 2 * capmsgs : 256;
    msgs = xrealloc(msgs, (size_t)capmsgs * sizeof *msgs);
  }
  msgs[nmsgs++] = (found){xstrdup(tmpl), s->path, line, code ? xstrdup(code) : NULL};
}

/* Collects the templates of the format in [a, b): string literals, or
** "COND ? X : Y" with X and Y such formats. Returns 0, or -1 when the
** format is something else. */
static int templates(const source *s, int a, int b, char **out, int *nout, int max) {
  int all_strings = a < b;
  for (int k = a; k < b; k++)
    if (s->t[k].kind != T_STRING) all_strings = 0;
  if (all_strings) {
    if (*nout == max) return -1;
    buf lit = {0};
    buf_add(&lit, "");
    for (int k = a; k < b; k++) add_literal(&lit, &s->t[k]);
    out[(*nout)++] = lit.s;
    return 0;
  }
  /* COND ? X : Y, at the top level of [a, b). */
  int depth = 0, q = -1, colon = -1, nested = 0;
  for (int k = a; k < b; k++) {
    const token *t = &s->t[k];
    if (t->kind != T_PUNCT) continue;
    char c = t->text[0];
    if (c == '(' || c == '[' || c == '{') depth++;
    if (c == ')' || c == ']' || c == '}') depth--;
    if (depth) continue;
    if (c == '?') {
      if (q < 0) q = k;
      else nested++;
    }
    if (c == ':' && q >= 0) {
      if (nested) nested--;
      else if (colon < 0) colon = k;
    }
  }
  if (q < 0 || colon < 0) return -1;
  if (templates(s, q + 1, colon, out, nout, max) < 0) return -1;
  return templates(s, colon + 1, b, out, nout, max);
}

/* The innermost function definition around token i: its parameters. */
static int enclosing_params(const source *s, int i, args *params) {
  for (int k = i; k > 0; k--) {
    if (!is_punct(&s->t[k], '{')) continue;
    if (!is_punct(&s->t[k - 1], ')')) continue;
    /* Find the '(' that this ')' closes, preceded by the function name. */
    int depth = 0;
    for (int j = k - 1; j > 0; j--) {
      if (is_punct(&s->t[j], ')')) depth++;
      if (is_punct(&s->t[j], '(') && --depth == 0) {
        if (s->t[j - 1].kind == T_IDENT && is_declarator(s, j - 1) &&
            closing(s, k) > i) {
          split_args(s, j, params);
          return 1;
        }
        break;
      }
    }
  }
  return 0;
}

/* Finds every call of a message function in s. */
static void collect(const source *s) {
  for (int i = 0; i + 1 < s->n; i++) {
    if (s->t[i].kind != T_IDENT || !is_punct(&s->t[i + 1], '(')) continue;
    const msgfn *f = find_fn(s, &s->t[i]);
    if (!f || is_declarator(s, i)) continue;
    args a;
    if (split_args(s, i + 1, &a) < 0) continue;
    int line = s->t[i].line;
    if (a.n < f->fmt) {
      fprintf(stderr, "%s:%d: errdoc: the call of %s has no message argument\n",
              s->path, line, f->name);
      faults++;
      continue;
    }
    if (f->stream) {
      int sa = a.a[f->stream - 1], sb = a.b[f->stream - 1];
      if (sb != sa + 1 || !is(&s->t[sa], "stderr")) continue;
    }
    int fa = a.a[f->fmt - 1], fb = a.b[f->fmt - 1];
    args params;
    if (enclosing_params(s, i, &params) && param_index(s, &params, fa, fb))
      continue; /* a message passed on: its callers are read instead */
    char *alt[8];
    int nalt = 0;
    if (templates(s, fa, fb, alt, &nalt, 8) < 0) {
      fprintf(stderr,
              "%s:%d: errdoc: the message given to %s is not a string literal, so "
              "doc/errors.md cannot list it; write it as a literal format\n",
              s->path, line, f->name);
      faults++;
      for (int k = 0; k < nalt; k++) free(alt[k]);
      continue;
    }
    char code[128] = "";
    if (f->status && a.n >= f->status && a.b[f->status - 1] == a.a[f->status - 1] + 1) {
      const token *t = &s->t[a.a[f->status - 1]];
      snprintf(code, sizeof code, "%.*s", (int)t->len, t->text);
    } else if (f->code) {
      snprintf(code, sizeof code, "%s", f->code);
    }
    for (int k = 0; k < nalt; k++) {
      const char *m = alt[k];
      if (f->prefixed) {
        if (strncmp(m, "naryn: ", 7) != 0) {
          free(alt[k]);
          continue;
        }
        m += 7;
      }
      char *t = normalise(m);
      add_msg(t, s, line, code[0] ? code : NULL);
      free(t);
      free(alt[k]);
    }
  }
}

/* ---------------------------------------------------------------------- */
/* The documented list                                                    */
/* ---------------------------------------------------------------------- */

typedef struct entry {
  char *tmpl;
  int line;
  int examples, matching, exit_status;
  char *first_example;
  int used;
} entry;

/* 1 when text matches the template from its start to its end. */
static int match(const char *t, const char *x) {
  while (*t) {
    if (t[0] == '%' && t[1]) {
      char c = t[1];
      if (c == '%') {
        if (*x != '%') return 0;
        t += 2;
        x++;
        continue;
      }
      if (c == 's' || c == 'p' || c == '?') {
        for (const char *y = x;; y++) {
          if (match(t + 2, y)) return 1;
          if (!*y) return 0;
        }
      }
      if (c == 'c') {
        if (!*x) return 0;
        t += 2;
        x++;
        continue;
      }
      /* %d and %g: a number as printf writes one. */
      const char *y = x;
      if (*y == '-' || *y == '+') y++;
      if (c == 'g' && (strncmp(y, "inf", 3) == 0 || strncmp(y, "nan", 3) == 0)) {
        y += 3;
      } else {
        const char *digits = y;
        while (isalnum((unsigned char)*y) || *y == '.' ||
               ((*y == '+' || *y == '-') && (y[-1] == 'e' || y[-1] == 'E')))
          y++;
        if (y == digits || !isdigit((unsigned char)*digits)) {
          if (!(*digits == '.' && isdigit((unsigned char)digits[1]))) return 0;
        }
      }
      /* Numbers are greedy, but may end before letters of the text. */
      for (const char *e = y; e > x; e--)
        if (match(t + 2, e)) return 1;
      return 0;
    }
    if (*t != *x) return 0;
    t++;
    x++;
  }
  return *x == '\0';
}

/* 1 when an example line ends with the message: the template matches the
** line from its start or from just after some ": ". */
static int example_matches(const char *tmpl, const char *line) {
  if (match(tmpl, line)) return 1;
  for (const char *p = line; *p; p++)
    if (p[0] == ':' && p[1] == ' ' && match(tmpl, p + 2)) return 1;
  return 0;
}

/* Number of backticks that start the line, or 0 when fewer than three. */
static int fence(const char *ln) {
  int n = 0;
  while (ln[n] == '`') n++;
  return n >= 3 ? n : 0;
}

/* 1 when the line says "exit status", in any case. */
static int names_exit_status(const char *ln) {
  for (const char *p = ln; *p; p++)
    if (strncasecmp(p, "exit status", 11) == 0) return 1;
  return 0;
}

static entry *read_doc(const char *path, int *nentries) {
  char *text = read_file(path);
  entry *e = NULL;
  int n = 0, cap = 0, lineno = 0, in_code = 0, open = 0;
  for (char *ln = text, *next; ln && *ln; ln = next) {
    next = strchr(ln, '\n');
    if (next) *next++ = '\0';
    lineno++;
    int f = fence(ln);
    if (in_code) {
      /* A fence closes on a line of at least as many backticks alone. */
      if (f >= in_code && ln[f + strspn(ln + f, " \t\r")] == '\0') {
        in_code = 0;
      } else if (open) {
        e[n - 1].examples++;
        if (example_matches(e[n - 1].tmpl, ln)) e[n - 1].matching++;
        if (!e[n - 1].first_example) e[n - 1].first_example = xstrdup(ln);
      }
      continue;
    }
    if (f) {
      in_code = f;
      continue;
    }
    if (strncmp(ln, "#### `", 6) == 0) {
      char *start = ln + 6, *end = strrchr(start, '`');
      if (!end || end == start) {
        fprintf(stderr, "%s:%d: errdoc: the heading has no closing backtick\n", path, lineno);
        faults++;
        open = 0;
        continue;
      }
      if (n == cap) {
        cap = cap ? 2 * cap : 256;
        e = xrealloc(e, (size_t)cap * sizeof *e);
      }
      *end = '\0';
      e[n++] = (entry){xstrdup(start), lineno, 0, 0, 0, NULL, 0};
      open = 1;
    } else if (ln[0] == '#') {
      open = 0; /* any other heading ends the entry above it */
    } else if (open && names_exit_status(ln)) {
      e[n - 1].exit_status = 1;
    }
  }
  free(text);
  *nentries = n;
  return e;
}

static int by_template(const void *a, const void *b) {
  const found *x = a, *y = b;
  int c = strcmp(x->tmpl, y->tmpl);
  if (c) return c;
  c = strcmp(x->file, y->file);
  return c ? c : x->line - y->line;
}

/* Edit distance, for "did you mean" when a message was reworded. */
static int distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  int *row = xrealloc(NULL, (nb + 1) * sizeof *row);
  for (size_t j = 0; j <= nb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= nb; j++) {
      int up = row[j];
      int best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  int d = row[nb];
  free(row);
  return d;
}

static int check(const char *doc, int nentries, entry *e) {
  int problems = 0;
  /* Entries listed twice. */
  for (int i = 0; i < nentries; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(e[i].tmpl, e[j].tmpl) == 0) {
        printf("%s:%d: `%s` is listed twice (first at line %d); keep one entry\n",
               doc, e[i].line, e[i].tmpl, e[j].line);
        problems++;
      }
  /* Messages in the code but not in the list. */
  for (int i = 0; i < nmsgs; i++) {
    int listed = 0;
    for (int k = 0; k < nentries; k++)
      if (strcmp(e[k].tmpl, msgs[i].tmpl) == 0) listed = e[k].used = 1;
    if (listed) continue;
    if (i > 0 && strcmp(msgs[i - 1].tmpl, msgs[i].tmpl) == 0) continue;
    printf("%s:%d: this message is not in %s%s%s%s; add an entry under the "
           "section it belongs to:\n",
           msgs[i].file, msgs[i].line, doc, msgs[i].code ? " (it is given with " : "",
           msgs[i].code ? msgs[i].code : "", msgs[i].code ? ")" : "");
    printf("    #### `%s`\n", msgs[i].tmpl);
    problems++;
  }
  /* Entries no longer in the code, with the closest unlisted message. */
  for (int k = 0; k < nentries; k++) {
    if (e[k].used) continue;
    int best = -1, bestd = 0;
    for (int i = 0; i < nmsgs; i++) {
      int listed = 0;
      for (int j = 0; j < nentries && !listed; j++)
        listed = strcmp(e[j].tmpl, msgs[i].tmpl) == 0;
      if (listed) continue;
      int d = distance(e[k].tmpl, msgs[i].tmpl);
      if (best < 0 || d < bestd) best = i, bestd = d;
    }
    printf("%s:%d: `%s` is no longer given by the code; remove the entry", doc,
           e[k].line, e[k].tmpl);
    if (best >= 0 && bestd * 3 < (int)strlen(e[k].tmpl))
      printf(", or reword it as the message at %s:%d:\n    #### `%s`\n",
             msgs[best].file, msgs[best].line, msgs[best].tmpl);
    else
      printf("\n");
    problems++;
  }
  /* Entries without an example or exit status. */
  for (int k = 0; k < nentries; k++) {
    if (e[k].examples == 0) {
      printf("%s:%d: `%s` has no example; add a fenced block with a line as "
             "naryn prints it\n", doc, e[k].line, e[k].tmpl);
      problems++;
    } else if (e[k].matching == 0) {
      printf("%s:%d: no example of `%s` ends with that message:\n    %s\n", doc,
             e[k].line, e[k].tmpl, e[k].first_example);
      problems++;
    }
    if (!e[k].exit_status) {
      printf("%s:%d: `%s` says no exit status; add \"Exit status N.\" to its text\n",
             doc, e[k].line, e[k].tmpl);
      problems++;
    }
  }
  return problems;
}

static void free_entries(entry *e, int n) {
  for (int i = 0; i < n; i++) {
    free(e[i].tmpl);
    free(e[i].first_example);
  }
  free(e);
}

/* Frees the message functions and messages found. */
static void free_found(void) {
  for (int i = 0; i < nfns; i++) {
    free(fns[i].name);
    free(fns[i].code);
  }
  nfns = 0;
  for (int i = 0; i < nmsgs; i++) {
    free(msgs[i].tmpl);
    free(msgs[i].code);
  }
  free(msgs);
  msgs = NULL;
  nmsgs = capmsgs = 0;
}

/* 1 when a template has a letter outside its placeholders; "%s" alone
** would match any line, so it proves nothing about one. */
static int has_words(const char *t) {
  for (const char *p = t; *p; p++) {
    if (*p == '%' && p[1]) {
      p++;
      continue;
    }
    if (isalpha((unsigned char)*p)) return 1;
  }
  return 0;
}

/* Checks that every line of the files ends with a documented message
** (one with words of its own). */
static int known(const char *doc, char **files, int nfiles) {
  int nentries, problems = 0, lines = 0;
  entry *e = read_doc(doc, &nentries);
  for (int i = 0; i < nfiles; i++) {
    char *text = read_file(files[i]);
    int lineno = 0;
    for (char *ln = text, *next; ln && *ln; ln = next) {
      next = strchr(ln, '\n');
      if (next) *next++ = '\0';
      lineno++;
      if (!*ln) continue;
      lines++;
      int k = 0;
      while (k < nentries && !(has_words(e[k].tmpl) && example_matches(e[k].tmpl, ln))) k++;
      if (k == nentries) {
        printf("%s:%d: no entry of %s gives this line:\n    %s\n", files[i], lineno,
               doc, ln);
        problems++;
      }
    }
    free(text);
  }
  printf("errdoc: %d lines of %d files, %d not documented in %s\n", lines, nfiles,
         problems, doc);
  free_entries(e, nentries);
  return problems + faults ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "known") == 0) return known(argv[2], argv + 3, argc - 3);
  if (argc < 3 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "check") != 0)) {
    fputs("usage: errdoc list SOURCE...\n       errdoc check DOC SOURCE...\n"
          "       errdoc known DOC FILE...\n", stderr);
    return 2;
  }
  int checking = strcmp(argv[1], "check") == 0;
  int first = checking ? 3 : 2;
  int nsrc = argc - first;
  if (nsrc < 1) {
    fputs("errdoc: no sources given\n", stderr);
    return 2;
  }
  source *src = xrealloc(NULL, (size_t)nsrc * sizeof *src);
  for (int i = 0; i < nsrc; i++) {
    src[i] = (source){argv[first + i], read_file(argv[first + i]), NULL, 0, 0};
    tokenize(&src[i]);
  }
  /* The roots: the function that stores a diagnostic, and stderr. */
  add_fn("naryn__vdiag", NULL, 8, 2, NULL, 0, 0);
  add_fn("vfprintf", NULL, 2, 0, NULL, 1, 0);
  add_fn("fprintf", NULL, 2, 0, NULL, 1, 1);
  /* Helpers of helpers: repeat until no file adds one. */
  for (int more = 1; more;) {
    more = 0;
    for (int i = 0; i < nsrc; i++) more += discover(&src[i]);
  }
  for (int i = 0; i < nsrc; i++) collect(&src[i]);
  qsort(msgs, (size_t)nmsgs, sizeof *msgs, by_template);
  int problems = 0;
  if (!checking) {
    for (int i = 0; i < nmsgs; i++)
      printf("%s:%d: %s%s%s%s\n", msgs[i].file, msgs[i].line, msgs[i].tmpl,
             msgs[i].code ? " (" : "", msgs[i].code ? msgs[i].code : "",
             msgs[i].code ? ")" : "");
  } else {
    int nentries;
    entry *e = read_doc(argv[2], &nentries);
    problems = check(argv[2], nentries, e);
    int distinct = 0;
    for (int i = 0; i < nmsgs; i++)
      distinct += i == 0 || strcmp(msgs[i].tmpl, msgs[i - 1].tmpl) != 0;
    printf("errdoc: %d messages at %d places in %d files; %d entries in %s; %d "
           "problem%s\n", distinct, nmsgs, nsrc, nentries, argv[2], problems + faults,
           problems + faults == 1 ? "" : "s");
    free_entries(e, nentries);
  }
  free_found();
  for (int i = 0; i < nsrc; i++) {
    free(src[i].text);
    free(src[i].t);
  }
  free(src);
  return problems || faults ? 1 : 0;
}
