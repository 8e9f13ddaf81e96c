/*
** share_page.c: the report of a benefit-sharing game, the page a ministry
** analyst reads to see what each country of the basin gains from
** co-operating and how that gain could be shared. It is drawn from the
** files naryn_game_write leaves in the folder (game.csv, share.csv,
** allocation.csv, exchange.csv and superadditivity.csv) and from nothing
** else, so that "naryn report DIR" draws the same bytes again. The two
** plans behind the game, baseline/ and grand/, are run folders with their
** own reports; the page links to them.
**
** The files are checked before anything is drawn: every column and key
** naryn writes must be there and every number a number; share.csv must
** hold a row per coalition of game.csv's players, allocation.csv a row per
** allocation and player, exchange.csv a row per player and season, and
** superadditivity.csv as many rows as game.csv counts. Anything else is an
** error naming the file, line, column and field, and no page is written.
**
** The page is made of page.c's parts (naryn__page and its helpers), so
** it has the same style, Content-Security-Policy and footer as the others.
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define MAXP NARYN__GAME_MAX_PLAYERS
/* share.csv's fixed columns and a benefit column per player. */
#define MAX_COLS (8 + MAXP)
/* Allocation methods read from allocation.csv: naryn's own and any other. */
#define MAX_METHODS 16
#define NSEASONS 3

/* ====================================================================== */
/* Reading the folder                                                      */
/* ====================================================================== */

/* What a column holds: text, a number, a number or nothing, yes or no. */
enum { TEXT, NUMBER, NUMBER_OR_EMPTY, YES_NO };

typedef struct column {
  const char *name;
  int kind;
} column;

/* A results table: the CSV, where each column the page reads is, and the
** numbers of its numeric columns, checked once. */
typedef struct table {
  naryn__csv *csv;
  int ncols;                /* the columns the page reads */
  int col[MAX_COLS];        /* the CSV column of each */
  double *num;              /* [row * ncols + k]: NaN for text and empty cells */
} table;

/* Columns of share.csv; a benefit column per player follows SH_BENEFIT. */
enum { SH_COALITION, SH_SIZE, SH_VALUE, SH_BASELINE, SH_GAIN, SH_PLAN, SH_PASSES,
       SH_BROKEN, SH_BENEFIT };
static const column share_cols[SH_BENEFIT] = {
    {"coalition", TEXT},     {"size", NUMBER},   {"value_per_yr", NUMBER},
    {"baseline_per_yr", NUMBER}, {"gain_per_yr", NUMBER}, {"plan", TEXT},
    {"passes", NUMBER},      {"held_broken_hm3", NUMBER}};

enum { AL_METHOD, AL_COUNTRY, AL_NAME, AL_BENEFIT, AL_BASELINE, AL_GAIN, AL_ALONE,
       AL_GRAND, AL_TRANSFER, AL_GWH, AL_RATIONAL, AL_CORE, AL_NCOLS };
static const column alloc_cols[AL_NCOLS] = {
    {"method", TEXT},
    {"country", TEXT},
    {"name", TEXT},
    {"benefit_per_yr", NUMBER},
    {"baseline_per_yr", NUMBER},
    {"gain_per_yr", NUMBER},
    {"alone_per_yr", NUMBER},
    {"grand_plan_per_yr", NUMBER},
    {"transfer_per_yr", NUMBER_OR_EMPTY},
    {"transfer_winter_gwh_per_yr", NUMBER_OR_EMPTY},
    {"individually_rational", YES_NO},
    {"in_core", YES_NO}};

enum { EX_COUNTRY, EX_NAME, EX_SEASON, EX_ENERGY_BASE, EX_ENERGY_GRAND, EX_OUT_BASE,
       EX_OUT_GRAND, EX_WITHDRAW_BASE, EX_WITHDRAW_GRAND, EX_NCOLS };
static const column exch_cols[EX_NCOLS] = {
    {"country", TEXT},
    {"name", TEXT},
    {"season", TEXT},
    {"baseline_energy_gwh_per_yr", NUMBER},
    {"grand_energy_gwh_per_yr", NUMBER},
    {"baseline_outflow_km3_per_yr", NUMBER},
    {"grand_outflow_km3_per_yr", NUMBER},
    {"baseline_withdrawal_km3_per_yr", NUMBER},
    {"grand_withdrawal_km3_per_yr", NUMBER}};

enum { SA_A, SA_B, SA_TOGETHER, SA_VALUE_A, SA_VALUE_B, SA_VALUE_AB, SA_SHORTFALL,
       SA_NCOLS };
static const column super_cols[SA_NCOLS] = {
    {"coalition_a", TEXT},         {"coalition_b", TEXT},
    {"together", TEXT},            {"value_a_per_yr", NUMBER},
    {"value_b_per_yr", NUMBER},    {"value_together_per_yr", NUMBER},
    {"shortfall_per_yr", NUMBER}};

static const char *const season_key[NSEASONS] = {"oct-mar", "apr-sep", "all"};
static const char *const season_label[NSEASONS] = {"Oct–Mar", "Apr–Sep", "year"};

/* What the page knows of the game, all from the folder's files. */
typedef struct game {
  const char *dir;
  naryn__arena *a;
  naryn_diags *d;
  naryn__csv *keys;                   /* game.csv */
  const char *model, *scenario, *currency, *order, *command;
  const char *core, *settled, *equilibrium;
  double years, steps, grand, base_total, gain, least_core, lps, violations,
      sweeps, tol;
  int totals;                         /* 1: a horizon shorter than a year, its
                                      ** figures shown as totals over it */
  const char *a_year;                 /* "a year", or "over the horizon" */
  int n;
  const char *player[MAXP];           /* codes in planning order */
  const char *label[MAXP];            /* "KG Kyrgyzstan", or the code */
  table share, alloc, exch, super;
  int nmethods;
  const char *method[MAX_METHODS];    /* in the order of allocation.csv */
  int alloc_row[MAX_METHODS][MAXP];   /* allocation.csv's row of each */
  int exch_row[MAXP][NSEASONS];       /* exchange.csv's row of each */
} game;

static int out_of_memory(const game *g) {
  return naryn__diag(g->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
}

/* Reads DIR/NAME; a missing or malformed file is reported in g->d. */
static naryn__csv *read_file(game *g, const char *name) {
  char *path = naryn__arena_printf(g->a, "%s/%s", g->dir, name);
  if (!path) {
    out_of_memory(g);
    return NULL;
  }
  return naryn__csv_read(path, g->a, g->d);
}

static const char *tcell(const table *t, int row, int k) {
  return t->csv->cells[(size_t)row * t->csv->ncols + t->col[k]];
}

static double tnum(const table *t, int row, int k) {
  return t->num[(size_t)row * t->ncols + k];
}

/* An error at a cell of a table, with its column as the field. */
static int bad_cell(const game *g, const table *t, int row, int k, const char *fmt, ...)
    NARYN__PRINTF(5, 6);
static int bad_cell(const game *g, const table *t, int row, int k, const char *fmt, ...) {
  char where[160];
  snprintf(where, sizeof where, "column \"%.100s\"", t->csv->header[t->col[k]]);
  va_list ap;
  va_start(ap, fmt);
  int rc = naryn__vdiag(g->d, NARYN_EIO, NARYN_SEV_ERROR, t->csv->file, t->csv->row_line[row],
                        t->csv->cell_col[(size_t)row * t->csv->ncols + t->col[k]], where,
                        fmt, ap);
  va_end(ap);
  return rc;
}

/* An error at the value of key row r of game.csv, with the key as the
** field. */
static int bad_key(const game *g, int r, const char *fmt, ...) NARYN__PRINTF(3, 4);
static int bad_key(const game *g, int r, const char *fmt, ...) {
  const naryn__csv *t = g->keys;
  char where[96];
  snprintf(where, sizeof where, "key \"%.64s\"", t->cells[(size_t)r * t->ncols]);
  va_list ap;
  va_start(ap, fmt);
  int rc = naryn__vdiag(g->d, NARYN_EIO, NARYN_SEV_ERROR, t->file, t->row_line[r],
                        t->cell_col[(size_t)r * t->ncols + 1], where, fmt, ap);
  va_end(ap);
  return rc;
}

/* Reads NAME with the columns cols and checks every cell of theirs. */
static int load_table(game *g, const char *name, const column *cols, int ncols,
                      table *t) {
  memset(t, 0, sizeof *t);
  if (!(t->csv = read_file(g, name))) return NARYN_EIO;
  t->ncols = ncols;
  for (int k = 0; k < ncols; k++) {
    int rc = naryn__report_need_column(t->csv, cols[k].name, g->d);
    if (rc != NARYN_OK) return rc;
    t->col[k] = naryn__csv_column(t->csv, cols[k].name);
  }
  t->num = naryn__arena_alloc(g->a, sizeof(double) * ((size_t)t->csv->nrows * ncols + 1));
  if (!t->num) return out_of_memory(g);
  for (int r = 0; r < t->csv->nrows; r++)
    for (int k = 0; k < ncols; k++) {
      double *v = &t->num[(size_t)r * ncols + k];
      const char *s = tcell(t, r, k);
      *v = NAN;
      if (cols[k].kind == YES_NO && strcmp(s, "yes") != 0 && strcmp(s, "no") != 0)
        return bad_cell(g, t, r, k, "expected yes or no, got \"%.40s\"", s);
      if (cols[k].kind == NUMBER_OR_EMPTY && !s[0]) continue;
      if ((cols[k].kind == NUMBER || cols[k].kind == NUMBER_OR_EMPTY) &&
          naryn__csv_number(t->csv, r, t->col[k], v, g->d) != 0)
        return NARYN_EIO;
    }
  return NARYN_OK;
}

/* The row of a key of game.csv, or -1. */
static int key_row(const game *g, const char *key) {
  for (int r = 0; r < g->keys->nrows; r++)
    if (strcmp(g->keys->cells[(size_t)r * g->keys->ncols], key) == 0) return r;
  return -1;
}

static int missing_key(const game *g, const char *key) {
  return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, g->keys->file, 1, 1, NULL,
                     "expected a key \"%s\", as naryn writes it", key);
}

/* The value of a key ("key,value" with key first, as the header checks). */
static int key_text(const game *g, const char *key, const char **out) {
  int r = key_row(g, key);
  if (r < 0) return missing_key(g, key);
  *out = g->keys->cells[(size_t)r * g->keys->ncols + 1];
  return NARYN_OK;
}

/* A number written as naryn writes them: plain decimal notation. */
static int key_number(const game *g, const char *key, double *out) {
  int r = key_row(g, key);
  if (r < 0) return missing_key(g, key);
  const char *s = g->keys->cells[(size_t)r * g->keys->ncols + 1];
  char *end = NULL;
  *out = strtod(s, &end);
  if (s[0] && !*end && strspn(s, "+-.0123456789eE") == strlen(s) && isfinite(*out))
    return NARYN_OK;
  return bad_key(g, r, "expected a number, got \"%.40s\"", s);
}

/* A key whose value is one of two words. */
static int key_word(const game *g, const char *key, const char *w1, const char *w2,
                    const char **out) {
  int rc = key_text(g, key, out);
  if (rc != NARYN_OK || strcmp(*out, w1) == 0 || strcmp(*out, w2) == 0) return rc;
  return bad_key(g, key_row(g, key), "expected \"%s\" or \"%s\", got \"%.40s\"", w1, w2,
                 *out);
}

/* game.csv: what was run and the game's figures; the players from its
** space-separated list. */
static int load_keys(game *g) {
  if (!(g->keys = read_file(g, "game.csv"))) return NARYN_EIO;
  if (g->keys->ncols < 2 || strcmp(g->keys->header[0], "key") != 0 ||
      strcmp(g->keys->header[1], "value") != 0)
    return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, g->keys->file, 1, 1, NULL,
                       "expected the header \"key,value\", as naryn writes it");
  struct {
    const char *key;
    const char **out;
  } texts[] = {{"model", &g->model},     {"scenario", &g->scenario},
               {"currency", &g->currency}, {"order", &g->order},
               {"command", &g->command}};
  struct {
    const char *key;
    double *out;
  } nums[] = {{"years", &g->years},
              {"steps", &g->steps},
              {"grand_value_per_yr", &g->grand},
              {"baseline_total_per_yr", &g->base_total},
              {"gain_per_yr", &g->gain},
              {"least_core_excess_per_yr", &g->least_core},
              {"nucleolus_lps", &g->lps},
              {"superadditivity_violations", &g->violations},
              {"baseline_sweeps", &g->sweeps},
              {"tolerance_per_yr", &g->tol}};
  int rc = NARYN_OK;
  for (size_t k = 0; k < sizeof texts / sizeof *texts && rc == NARYN_OK; k++)
    rc = key_text(g, texts[k].key, texts[k].out);
  for (size_t k = 0; k < sizeof nums / sizeof *nums && rc == NARYN_OK; k++)
    rc = key_number(g, nums[k].key, nums[k].out);
  if (rc == NARYN_OK) rc = key_word(g, "core", "empty", "not empty", &g->core);
  if (rc == NARYN_OK) rc = key_word(g, "baseline_settled", "yes", "no", &g->settled);
  if (rc == NARYN_OK)
    rc = key_word(g, "baseline_equilibrium", "yes", "no", &g->equilibrium);
  const char *players;
  if (rc == NARYN_OK) rc = key_text(g, "players", &players);
  if (rc != NARYN_OK) return rc;
  char *list = naryn__arena_strdup(g->a, players);
  if (!list) return out_of_memory(g);
  int bad = 0;
  g->n = 0;
  for (char *s = list; *s && !bad;) {
    if (*s == ' ') {
      s++;
      continue;
    }
    char *end = s + strcspn(s, " ");
    int last = !*end;
    *end = '\0';
    for (int i = 0; i < g->n; i++) bad |= strcmp(g->player[i], s) == 0;
    if (g->n == MAXP) bad = 1;
    if (!bad) g->player[g->n++] = s;
    s = last ? end : end + 1;
  }
  if (bad || g->n < 2)
    return bad_key(g, key_row(g, "players"),
                   "expected 2 to %d different country codes separated by spaces, got "
                   "\"%.60s\"", MAXP, players);
  if (!(g->violations >= 0) || g->violations != floor(g->violations))
    return bad_key(g, key_row(g, "superadditivity_violations"),
                   "expected a count of pairs, got %g", g->violations);
  return NARYN_OK;
}

/* The player with this code, or -1. */
static int player_index(const game *g, const char *code) {
  for (int i = 0; i < g->n; i++)
    if (strcmp(g->player[i], code) == 0) return i;
  return -1;
}

/* The player of a row's country column, or an error naming the row. */
static int row_player(const game *g, const table *t, int row, int k, int *out) {
  *out = player_index(g, tcell(t, row, k));
  if (*out >= 0) return NARYN_OK;
  return bad_cell(g, t, row, k, "expected a player of game.csv, got \"%.40s\"",
                  tcell(t, row, k));
}

/* share.csv: a row per coalition, with a benefit column per player. */
static int load_share(game *g) {
  column cols[MAX_COLS];
  memcpy(cols, share_cols, sizeof share_cols);
  for (int i = 0; i < g->n; i++) {
    char *name = naryn__arena_printf(g->a, "benefit_%s", g->player[i]);
    if (!name) return out_of_memory(g);
    cols[SH_BENEFIT + i] = (column){name, NUMBER};
  }
  int rc = load_table(g, "share.csv", cols, SH_BENEFIT + g->n, &g->share);
  if (rc != NARYN_OK) return rc;
  int want = (1 << g->n) - 1, got = g->share.csv->nrows;
  if (got != want)
    return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, g->share.csv->file,
                       got ? g->share.csv->row_line[got - 1] : 1, 1, NULL,
                       "expected %d rows, a coalition each of game.csv's %d players, "
                       "got %d: the file is short or from another game", want, g->n, got);
  return NARYN_OK;
}

/* allocation.csv: a row per method and player; naryn's methods are all
** there. */
static int load_alloc(game *g) {
  int rc = load_table(g, "allocation.csv", alloc_cols, AL_NCOLS, &g->alloc);
  if (rc != NARYN_OK) return rc;
  const table *t = &g->alloc;
  g->nmethods = 0;
  for (int r = 0; r < t->csv->nrows; r++) {
    const char *m = tcell(t, r, AL_METHOD);
    int k = 0, i;
    while (k < g->nmethods && strcmp(g->method[k], m) != 0) k++;
    if (k == g->nmethods) {
      if (k == MAX_METHODS)
        return bad_cell(g, t, r, AL_METHOD, "expected at most %d methods, got \"%.40s\"",
                        MAX_METHODS, m);
      g->method[k] = m;
      for (int j = 0; j < MAXP; j++) g->alloc_row[k][j] = -1;
      g->nmethods++;
    }
    if ((rc = row_player(g, t, r, AL_COUNTRY, &i)) != NARYN_OK) return rc;
    if (g->alloc_row[k][i] >= 0)
      return bad_cell(g, t, r, AL_COUNTRY, "a second row for %.40s under method \"%.40s\"",
                      g->player[i], m);
    g->alloc_row[k][i] = r;
  }
  for (int a = 0; a < NARYN_ALLOC_COUNT; a++) {
    const char *m = naryn_allocation_name((naryn_allocation)a);
    int k = 0;
    while (k < g->nmethods && strcmp(g->method[k], m) != 0) k++;
    if (k == g->nmethods)
      return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, t->csv->file, 1, 1, NULL,
                         "expected rows of method \"%s\", found none: the file is "
                         "short or from another version", m);
  }
  for (int k = 0; k < g->nmethods; k++)
    for (int i = 0; i < g->n; i++)
      if (g->alloc_row[k][i] < 0)
        return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, t->csv->file, 1, 1, NULL,
                           "expected a row of method \"%s\" for %s, found none: the "
                           "file is short or from another game", g->method[k], g->player[i]);
  /* Each player's label, from the name column. */
  for (int i = 0; i < g->n; i++) {
    const char *name = tcell(t, g->alloc_row[0][i], AL_NAME);
    g->label[i] = name[0] && strcmp(name, g->player[i]) != 0
                      ? naryn__arena_printf(g->a, "%s %s", g->player[i], name)
                      : g->player[i];
    if (!g->label[i]) return out_of_memory(g);
  }
  return NARYN_OK;
}

/* exchange.csv: a row per player and season. */
static int load_exch(game *g) {
  int rc = load_table(g, "exchange.csv", exch_cols, EX_NCOLS, &g->exch);
  if (rc != NARYN_OK) return rc;
  const table *t = &g->exch;
  for (int i = 0; i < MAXP; i++)
    for (int s = 0; s < NSEASONS; s++) g->exch_row[i][s] = -1;
  for (int r = 0; r < t->csv->nrows; r++) {
    int i, s = 0;
    if ((rc = row_player(g, t, r, EX_COUNTRY, &i)) != NARYN_OK) return rc;
    while (s < NSEASONS && strcmp(tcell(t, r, EX_SEASON), season_key[s]) != 0) s++;
    if (s == NSEASONS)
      return bad_cell(g, t, r, EX_SEASON, "expected oct-mar, apr-sep or all, got \"%.40s\"",
                      tcell(t, r, EX_SEASON));
    if (g->exch_row[i][s] >= 0)
      return bad_cell(g, t, r, EX_SEASON, "a second row for %.40s in %s", g->player[i],
                      season_key[s]);
    g->exch_row[i][s] = r;
  }
  for (int i = 0; i < g->n; i++)
    for (int s = 0; s < NSEASONS; s++)
      if (g->exch_row[i][s] < 0)
        return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, t->csv->file, 1, 1, NULL,
                           "expected a row for %s in %s, found none: the file is short "
                           "or from another game", g->player[i], season_key[s]);
  return NARYN_OK;
}

/* superadditivity.csv: as many rows as game.csv counts. */
static int load_super(game *g) {
  int rc = load_table(g, "superadditivity.csv", super_cols, SA_NCOLS, &g->super);
  if (rc != NARYN_OK) return rc;
  int got = g->super.csv->nrows;
  if (got != (int)g->violations)
    return naryn__diag(g->d, NARYN_EIO, NARYN_SEV_ERROR, g->super.csv->file,
                       got ? g->super.csv->row_line[got - 1] : 1, 1, NULL,
                       "expected %d rows (game.csv's superadditivity_violations), got "
                       "%d: the file is short or from another game", (int)g->violations, got);
  return NARYN_OK;
}

static int load_game(game *g) {
  int rc = load_keys(g);
  if (rc == NARYN_OK) rc = load_share(g);
  if (rc == NARYN_OK) rc = load_alloc(g);
  if (rc == NARYN_OK) rc = load_exch(g);
  if (rc == NARYN_OK) rc = load_super(g);
  return rc;
}

/* ====================================================================== */
/* Page parts                                                              */
/* ====================================================================== */

/* The game's files give every figure a year: a horizon shorter than a
** year is shown as its totals instead, each figure times the horizon's
** years, since a yearly figure of a few days would multiply them into a
** year the game never saw (the run pages do the same). */
static void scale_columns(table *t, int from, int to, double by) {
  for (int r = 0; r < t->csv->nrows; r++)
    for (int k = from; k <= to; k++) t->num[(size_t)r * t->ncols + k] *= by;
}

static void as_totals(game *g) {
  g->totals = !(g->years >= 1.0 - 1e-6);
  g->a_year = g->totals ? "over the horizon" : "a year";
  if (!g->totals) return;
  double y = g->years;
  g->grand *= y, g->base_total *= y, g->gain *= y, g->least_core *= y, g->tol *= y;
  scale_columns(&g->share, SH_VALUE, SH_GAIN, y);
  scale_columns(&g->share, SH_BENEFIT, g->share.ncols - 1, y);
  scale_columns(&g->alloc, AL_BENEFIT, AL_GWH, y);
  scale_columns(&g->exch, EX_ENERGY_BASE, EX_WITHDRAW_GRAND, y);
  scale_columns(&g->super, SA_VALUE_A, SA_SHORTFALL, y);
}

/* Millions of the currency, as the page writes them. */
static const char *millions(double v, char *buf, size_t size) {
  v /= 1e6;
  if (fabs(v) < 0.005) v = 0.0;
  snprintf(buf, size, "%.2f", v);
  return buf;
}

/* A number cell with its sign always shown: "+" received, "-" paid. */
static void td_signed(naryn__page *p, double v, int decimals) {
  if (isnan(v)) {
    fprintf(p->out, "<td></td>");
    return;
  }
  if (fabs(v) < 0.5 * pow(10, -decimals)) v = 0.0;
  fprintf(p->out, "<td>%s%.*f</td>", v > 0 ? "+" : "", decimals, v);
}

static void td_right(naryn__page *p, const char *s) {
  fprintf(p->out, "<td>");
  naryn__text(p, s);
  fprintf(p->out, "</td>");
}

/* The label of an allocation method, and a sentence on what it is. */
static const char *method_label(const char *m) {
  static const char *const labels[NARYN_ALLOC_COUNT] = {
      "baseline (no co-operation)", "grand plan, no transfers", "Shapley value",
      "nucleolus", "equal split of the gain"};
  for (int a = 0; a < NARYN_ALLOC_COUNT; a++)
    if (strcmp(m, naryn_allocation_name((naryn_allocation)a)) == 0) return labels[a];
  return m;
}

static void header(naryn__page *p, const game *g) {
  char buf[256];
  fprintf(p->out, "<header>\n<h1>");
  naryn__text(p, g->model);
  fprintf(p->out, "</h1>\n<p class=\"sub\">Benefit sharing between the countries of the "
                  "basin: what each gains from co-operation, and how the gain could be "
                  "shared");
  if (g->scenario[0]) {
    fprintf(p->out, "; scenario ");
    naryn__text(p, g->scenario);
  }
  fprintf(p->out, "</p>\n<dl class=\"meta\">");
  naryn__meta(p, "Model", g->model);
  naryn__meta(p, "Scenario", g->scenario[0] ? g->scenario : "none (the model as given)");
  naryn__meta(p, "Command", g->command[0] ? g->command : "(not recorded)");
  snprintf(buf, sizeof buf, "%.2f", g->years);
  naryn__meta(p, "Years", buf);
  snprintf(buf, sizeof buf, "%.0f", g->steps);
  naryn__meta(p, "Steps", buf);
  fprintf(p->out, "<dt>Players in planning order</dt><dd>");
  for (int i = 0; i < g->n; i++) {
    if (i) fprintf(p->out, ", ");
    naryn__text(p, g->label[i]);
  }
  fprintf(p->out, "</dd>");
  const char *order = g->order;
  if (strcmp(order, "upstream first") == 0)
    order = "upstream first: by the first of each country's reservoirs and demands "
            "from upstream to downstream";
  else if (strcmp(order, "given") == 0)
    order = "given on the command line (--order)";
  naryn__meta(p, "Baseline order", order);
  snprintf(buf, sizeof buf, "millions of %.64s %s", g->currency, g->a_year);
  naryn__meta(p, "Values", buf);
  naryn__meta(p, "Engine", "naryn " NARYN_VERSION);
  fprintf(p->out, "</dl>\n");
  if (g->totals)
    fprintf(p->out, "<p class=\"note totals\">The horizon, %.2f years, is shorter than a "
                    "year: the figures are its totals, not extrapolated to a year.</p>\n",
            g->years);
  fprintf(p->out, "<p>The two plans behind the game, each a run with its own "
                  "report: <a href=\"baseline/report.html\">the baseline</a>, where each "
                  "country plans on its own in turn, and <a href=\"grand/report.html\">the "
                  "grand coalition's plan</a>, where all co-operate.</p>\n</header>\n");
  fprintf(p->out, "<nav><ul><li><a href=\"#s-figures\">Key figures</a>"
                  "<li><a href=\"#s-coalitions\">Every coalition</a>"
                  "<li><a href=\"#s-allocations\">Sharing the gain</a>"
                  "<li><a href=\"#s-exchange\">Water for energy</a>"
                  "<li><a href=\"#s-superadditivity\">Superadditivity</a></ul></nav>\n");
}

/* A row of the key figures: what, its value (escaped) and what it means. */
static void figure_row(naryn__page *p, const char *what, const char *value,
                       const char *means) {
  fprintf(p->out, "<tr>");
  naryn__td_text(p, what);
  td_right(p, value);
  fprintf(p->out, "<td class=\"l w\">");
  naryn__text(p, means);
  fprintf(p->out, "</td></tr>\n");
}

static void key_figures(naryn__page *p, const game *g) {
  char v1[64], v2[64], v3[64], buf[256];
  fprintf(p->out, "<h2 id=\"s-figures\">Key figures</h2>\n<p>Co-operating fully, the %d "
                  "countries would together secure %s million ", g->n,
          millions(g->grand, v1, sizeof v1));
  naryn__text(p, g->currency);
  fprintf(p->out, " %s, %s million %s than the %s million of the baseline, where "
                  "each plans on its own in turn. ",
          g->a_year, millions(fabs(g->gain), v2, sizeof v2), g->gain < 0 ? "less" : "more",
          millions(g->base_total, v3, sizeof v3));
  if (strcmp(g->core, "empty") == 0)
    fprintf(p->out, "The core is empty: no sharing of that value gives every group of "
                    "countries at least what it could secure on its own.</p>\n");
  else
    fprintf(p->out, "The core is not empty: some sharing of that value gives every group "
                    "of countries at least what it could secure on its own.</p>\n");
  naryn__table_open(p, "game-figures");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "figure", 1);
  naryn__th(p, "value", 0);
  naryn__th(p, "what it means", 1);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  figure_row(p, "Value of the grand coalition", millions(g->grand, v1, sizeof v1),
             "v(N): what all the countries secure together, co-ordinating all they own");
  figure_row(p, "Baseline total", millions(g->base_total, v1, sizeof v1),
             "the sum of the countries' benefits without co-operation");
  if (g->base_total != 0)
    snprintf(buf, sizeof buf, "%s (%.1f %%)", millions(g->gain, v1, sizeof v1),
             100.0 * g->gain / fabs(g->base_total));
  else
    snprintf(buf, sizeof buf, "%s", millions(g->gain, v1, sizeof v1));
  figure_row(p, "Gain from full co-operation", buf,
             "what co-operation has to share: v(N) less the baseline total (in brackets, "
             "as a share of the baseline total's absolute value)");
  figure_row(p, "Core", g->core,
             "empty when no sharing of v(N) gives every coalition at least its value");
  figure_row(p, "Least-core excess", millions(g->least_core, v1, sizeof v1),
             "the most that can be given to the worst-off coalition above its value; "
             "negative when the core is empty");
  snprintf(buf, sizeof buf, "%.0f", g->lps);
  figure_row(p, "Nucleolus: linear programmes", buf,
             "solved in turn to find the nucleolus");
  snprintf(buf, sizeof buf, "%.0f", g->violations);
  figure_row(p, "Superadditivity violations", buf,
             "pairs of coalitions worth more apart than together (listed below)");
  snprintf(buf, sizeof buf, "%.0f; settled: %s", g->sweeps, g->settled);
  figure_row(p, "Baseline: sweeps of turns", buf,
             "rounds of the countries planning in turn; settled when a round changed "
             "nothing");
  figure_row(p, "Baseline is an equilibrium", g->equilibrium,
             "yes when no country would gain by planning again on its own");
  figure_row(p, "Tolerance", millions(g->tol, v1, sizeof v1),
             "values closer than this are taken as equal");
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static void coalition_table(naryn__page *p, const game *g) {
  const table *t = &g->share;
  fprintf(p->out, "<h2 id=\"s-coalitions\">Every coalition</h2>\n<p class=\"note\">For "
                  "each coalition: its value, the most its members can secure together "
                  "by co-ordinating all they own while the other countries keep their "
                  "baseline actions; its members' baseline benefits and the gain; "
                  "whether the coalition's optimised plan was kept, or the baseline "
                  "(when optimising found less); the passes of the successive linear "
                  "programmes; the water the others' held actions had to give up, hm3; "
                  "and each country's benefit in the coalition's plan. Money in millions "
                  "of ");
  naryn__text(p, g->currency);
  fprintf(p->out, " %s; the last row is the grand coalition.</p>\n", g->a_year);
  naryn__table_open(p, "coalitions");
  fprintf(p->out, "<thead><tr><th colspan=\"8\"></th><th colspan=\"%d\">benefit in the "
                  "coalition's plan</th></tr>\n<tr>", g->n);
  naryn__th(p, "coalition", 1);
  naryn__th(p, "size", 0);
  naryn__th(p, "value", 0);
  naryn__th(p, "baseline", 0);
  naryn__th(p, "gain", 0);
  naryn__th(p, "plan", 1);
  naryn__th(p, "passes", 0);
  naryn__th(p, "held broken, hm3", 0);
  for (int i = 0; i < g->n; i++) naryn__th(p, g->player[i], 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < t->csv->nrows; r++) {
    fprintf(p->out, "<tr%s>", tnum(t, r, SH_SIZE) == g->n ? " class=\"total\"" : "");
    naryn__td_text(p, tcell(t, r, SH_COALITION));
    naryn__td_num(p, tnum(t, r, SH_SIZE), 0);
    naryn__td_num(p, tnum(t, r, SH_VALUE) / 1e6, 2);
    naryn__td_num(p, tnum(t, r, SH_BASELINE) / 1e6, 2);
    naryn__td_num(p, tnum(t, r, SH_GAIN) / 1e6, 2);
    naryn__td_text(p, tcell(t, r, SH_PLAN));
    naryn__td_num(p, tnum(t, r, SH_PASSES), 0);
    naryn__td_num(p, tnum(t, r, SH_BROKEN), 3);
    for (int i = 0; i < g->n; i++) naryn__td_num(p, tnum(t, r, SH_BENEFIT + i) / 1e6, 2);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* The charts of the allocations: each country's benefit, and its gain
** over the baseline, under each method; a method keeps its colour. */
static int allocation_charts(naryn__page *p, const game *g) {
  const table *t = &g->alloc;
  double benefit[MAX_METHODS][MAXP], gain[MAX_METHODS][MAXP];
  naryn__series sb[MAX_METHODS], sg[MAX_METHODS];
  int ng = 0;
  const char *base = naryn_allocation_name(NARYN_ALLOC_BASELINE);
  for (int k = 0; k < g->nmethods; k++) {
    for (int i = 0; i < g->n; i++) {
      benefit[k][i] = tnum(t, g->alloc_row[k][i], AL_BENEFIT) / 1e6;
      gain[k][i] = tnum(t, g->alloc_row[k][i], AL_GAIN) / 1e6;
    }
    const char *label = method_label(g->method[k]);
    sb[k] = (naryn__series){label, NULL, benefit[k], g->n, NARYN__BARS, naryn__colour(k), NULL, NULL, 0};
    /* The baseline gains nothing over itself. */
    if (strcmp(g->method[k], base) != 0)
      sg[ng++] = (naryn__series){label, NULL, gain[k], g->n, NARYN__BARS, naryn__colour(k),
                                 NULL, NULL, 0};
  }
  char ylab[128], note[128];
  snprintf(ylab, sizeof ylab, "millions of %.64s %s", g->currency, g->a_year);
  snprintf(note, sizeof note, "(millions of %.64s %s)", g->currency, g->a_year);
  naryn__chart cb = {"share-benefit", "Each country's benefit under each allocation", NULL,
                     ylab, NARYN__AXIS_CATEGORY, g->label, g->n, 1, sb, g->nmethods, 0, 340, 0, 0, 0, 0};
  int rc = naryn__figure(p, &cb, "Each country's benefit under each allocation", note);
  if (rc != NARYN_OK) return rc;
  naryn__chart cg = {"share-gain", "Each country's gain over its baseline under each allocation",
                     NULL, ylab, NARYN__AXIS_CATEGORY, g->label, g->n, 1, sg, ng, 0, 340, 0, 0, 0, 0};
  return naryn__figure(p, &cg, "Each country's gain over its baseline under each allocation",
                       note);
}

static void allocation_table(naryn__page *p, const game *g) {
  const table *t = &g->alloc;
  naryn__table_open(p, "allocations");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "allocation", 1);
  naryn__th(p, "country", 1);
  naryn__th(p, "benefit", 0);
  naryn__th(p, "baseline", 0);
  naryn__th(p, "gain", 0);
  naryn__th(p, "alone", 0);
  naryn__th(p, "grand plan", 0);
  naryn__th(p, "transfer", 0);
  fprintf(p->out, "<th class=\"w\">transfer, winter GWh</th><th class=\"l w\">"
                  "individually rational</th>");
  naryn__th(p, "in core", 1);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int k = 0; k < g->nmethods; k++) {
    double sum[6] = {0};
    for (int i = 0; i < g->n; i++) {
      int r = g->alloc_row[k][i];
      fprintf(p->out, "<tr>");
      naryn__td_text(p, i == 0 ? method_label(g->method[k]) : "");
      naryn__td_text(p, g->label[i]);
      for (int c = AL_BENEFIT; c <= AL_GRAND; c++) {
        naryn__td_num(p, tnum(t, r, c) / 1e6, 2);
        sum[c - AL_BENEFIT] += tnum(t, r, c);
      }
      td_signed(p, tnum(t, r, AL_TRANSFER) / 1e6, 2);
      td_signed(p, tnum(t, r, AL_GWH), 1);
      sum[5] += tnum(t, r, AL_TRANSFER);
      naryn__td_text(p, tcell(t, r, AL_RATIONAL));
      naryn__td_text(p, tcell(t, r, AL_CORE));
      fprintf(p->out, "</tr>\n");
    }
    /* The totals: an efficient allocation shares exactly v(N), and its
    ** transfers add up to nothing. */
    fprintf(p->out, "<tr class=\"total\">");
    naryn__td_text(p, "");
    naryn__td_text(p, "all countries");
    for (int c = 0; c < 5; c++) naryn__td_num(p, sum[c] / 1e6, 2);
    td_signed(p, sum[5] / 1e6, 2);
    fprintf(p->out, "<td></td><td></td><td></td></tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static int allocation_section(naryn__page *p, const game *g) {
  fprintf(p->out, "<h2 id=\"s-allocations\">Sharing the gain</h2>\n<p class=\"note\">"
                  "Ways of sharing the grand coalition's value between the countries: "
                  "the baseline, where each keeps what it has without co-operation "
                  "(it shares nothing of the gain); the grand coalition's plan without "
                  "transfers, which shows who gains and who loses when all co-operate; "
                  "the Shapley value, each country's mean contribution to the coalitions "
                  "it joins, over every order of joining; the nucleolus, which makes the "
                  "worst-off coalition's excess over its value as large as it can be, "
                  "then the next, and lies in the core whenever the core is not empty; "
                  "and an equal split of the gain on top of the baseline.</p>\n");
  int rc = allocation_charts(p, g);
  if (rc != NARYN_OK) return rc;
  fprintf(p->out, "<p class=\"note\">Per allocation and country, in millions of ");
  naryn__text(p, g->currency);
  fprintf(p->out, " %s: the benefit it gives; the country's baseline benefit and its "
                  "gain over it; what the country could secure alone; its "
                  "benefit in the grand coalition's plan; the transfer that turns the "
                  "grand plan into the allocation, received (+) or paid (-); the same "
                  "transfer as energy, GWh %s, valued at the country's price of "
                  "winter (Oct–Mar) energy; whether the country gets at least what it "
                  "could secure alone; and whether no coalition gets less than its "
                  "value (in the core). Each allocation ends with its totals.</p>\n",
          g->a_year, g->a_year);
  allocation_table(p, g);
  return NARYN_OK;
}

/* The exchange by country and season: a table and three charts, each of
** the baseline against the grand plan. */
static int exchange_section(naryn__page *p, const game *g) {
  const table *t = &g->exch;
  fprintf(p->out, "<h2 id=\"s-exchange\">Water for energy</h2>\n<p>The grand coalition's "
                  "plan changes when the reservoirs release water, and so how much "
                  "energy each country generates in winter and summer and how much "
                  "water reaches the countries downstream in the irrigation season. The "
                  "table and the charts compare each country's energy, the water leaving "
                  "its territory and the water it withdraws, in the baseline and in the "
                  "grand plan. The transfer column of the allocation table above says "
                  "what the countries that gain would pay for the change, in money or in "
                  "GWh of winter energy.</p>\n");
  naryn__table_open(p, "exchange");
  fprintf(p->out, "<thead><tr><th class=\"l\" colspan=\"2\"></th>"
                  "<th colspan=\"3\">energy, GWh %s</th>"
                  "<th colspan=\"3\">water leaving the territory, km3 %s</th>"
                  "<th colspan=\"3\">water withdrawn, km3 %s</th></tr>\n<tr>",
          g->a_year, g->a_year, g->a_year);
  naryn__th(p, "country", 1);
  naryn__th(p, "season", 1);
  for (int q = 0; q < 3; q++) {
    naryn__th(p, "baseline", 0);
    naryn__th(p, "grand plan", 0);
    naryn__th(p, "change", 0);
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int i = 0; i < g->n; i++)
    for (int s = 0; s < NSEASONS; s++) {
      int r = g->exch_row[i][s];
      fprintf(p->out, "<tr%s>", s == NSEASONS - 1 ? " class=\"total\"" : "");
      naryn__td_text(p, s == 0 ? g->label[i] : "");
      naryn__td_text(p, g->totals && s == NSEASONS - 1 ? "whole horizon" : season_label[s]);
      for (int q = 0; q < 3; q++) {
        double b = tnum(t, r, EX_ENERGY_BASE + 2 * q), x = tnum(t, r, EX_ENERGY_GRAND + 2 * q);
        int dec = q == 0 ? 1 : 3;
        naryn__td_num(p, b, dec);
        naryn__td_num(p, x, dec);
        td_signed(p, x - b, dec);
      }
      fprintf(p->out, "</tr>\n");
    }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);

  /* Categories: each country's two seasons. */
  char cat_buf[2 * MAXP][48];
  const char *cats[2 * MAXP];
  double y[2][2 * MAXP];
  for (int i = 0; i < g->n; i++)
    for (int s = 0; s < 2; s++) {
      snprintf(cat_buf[2 * i + s], sizeof cat_buf[0], "%.24s %s", g->player[i],
               season_label[s]);
      cats[2 * i + s] = cat_buf[2 * i + s];
    }
  static const struct {
    const char *id, *caption, *what, *unit;
  } charts[3] = {
      {"exchange-energy", "Energy by country and season", "energy", "GWh"},
      {"exchange-outflow", "Water leaving each country's territory by season",
       "water leaving", "km3"},
      {"exchange-withdrawal", "Water withdrawn by country and season",
       "water withdrawn", "km3"}};
  int rc = NARYN_OK;
  for (int q = 0; q < 3 && rc == NARYN_OK; q++) {
    for (int i = 0; i < g->n; i++)
      for (int s = 0; s < 2; s++) {
        y[0][2 * i + s] = tnum(t, g->exch_row[i][s], EX_ENERGY_BASE + 2 * q);
        y[1][2 * i + s] = tnum(t, g->exch_row[i][s], EX_ENERGY_GRAND + 2 * q);
      }
    /* The colours of the baseline and grand-plan allocations above. */
    naryn__series se[2] = {
        {"baseline", NULL, y[0], 2 * g->n, NARYN__BARS, naryn__colour(0), NULL, NULL, 0},
        {"grand coalition's plan", NULL, y[1], 2 * g->n, NARYN__BARS, naryn__colour(1),
         NULL, NULL, 0}};
    char ylab[96], note[96];
    snprintf(ylab, sizeof ylab, "%s, %s %s", charts[q].what, charts[q].unit, g->a_year);
    snprintf(note, sizeof note, "(baseline against the grand plan, %s %s)", charts[q].unit,
             g->a_year);
    naryn__chart c = {charts[q].id, charts[q].caption, NULL, ylab,
                      NARYN__AXIS_CATEGORY, cats, 2 * g->n, 1, se, 2, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, charts[q].caption, note);
  }
  return rc;
}

static void superadditivity_section(naryn__page *p, const game *g) {
  const table *t = &g->super;
  fprintf(p->out, "<h2 id=\"s-superadditivity\">Superadditivity</h2>\n");
  if (t->csv->nrows == 0) {
    fprintf(p->out, "<p id=\"superadditivity-none\">No pair of coalitions is worth more "
                    "apart than together: every coalition is worth at least as much as "
                    "any two parts it splits into (within the tolerance).</p>\n");
    return;
  }
  fprintf(p->out, "<p class=\"note\">Pairs of coalitions worth more apart than together, "
                  "in millions of ");
  naryn__text(p, g->currency);
  fprintf(p->out, " %s. Together they could always do what they do apart, so each "
                  "pair says that the plan found for the coalition together falls short "
                  "of its best by at least the shortfall.</p>\n", g->a_year);
  naryn__table_open(p, "superadditivity");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "coalition A", 1);
  naryn__th(p, "coalition B", 1);
  naryn__th(p, "together", 1);
  naryn__th(p, "value of A", 0);
  naryn__th(p, "value of B", 0);
  naryn__th(p, "value together", 0);
  naryn__th(p, "shortfall", 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < t->csv->nrows; r++) {
    fprintf(p->out, "<tr>");
    naryn__td_text(p, tcell(t, r, SA_A));
    naryn__td_text(p, tcell(t, r, SA_B));
    naryn__td_text(p, tcell(t, r, SA_TOGETHER));
    for (int k = SA_VALUE_A; k <= SA_SHORTFALL; k++) naryn__td_num(p, tnum(t, r, k) / 1e6, 2);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* ====================================================================== */
/* The page                                                                */
/* ====================================================================== */

int naryn__report_share(const char *dir, naryn_diags *d) {
  game *g = calloc(1, sizeof *g);
  naryn__arena *a = naryn__arena_new();
  if (!g || !a) {
    free(g);
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  g->dir = dir;
  g->a = a;
  g->d = d;
  naryn__page p;
  int rc = load_game(g);
  if (rc == NARYN_OK) as_totals(g);
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc == NARYN_OK) {
    char title[512];
    snprintf(title, sizeof title, "%s: benefit sharing between %d countries", g->model, g->n);
    p.totals = g->totals;
    naryn__page_head(&p, title);
    header(&p, g);
    fprintf(p.out, "<main>\n");
    key_figures(&p, g);
    coalition_table(&p, g);
    rc = allocation_section(&p, g);
    if (rc == NARYN_OK) rc = exchange_section(&p, g);
    if (rc == NARYN_OK) {
      superadditivity_section(&p, g);
      fprintf(p.out, "</main>\n");
      rc = naryn__page_close(&p, dir);
    } else {
      naryn__page_abort(&p);
    }
  }
  naryn__arena_free(a);
  free(g);
  return rc;
}
