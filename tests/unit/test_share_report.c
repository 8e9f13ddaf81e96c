/*
** test_share_report.c: the report of a benefit-sharing game, drawn by
** naryn_report_write from hand-made files of a three-player game: its
** figures, tables and charts, the same bytes when drawn again, hostile
** names escaped, and malformed or short files refused with the file, line
** and field named and no page left behind.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

/* Three players planning upstream first: UP, MID and DN, whose name is
** hostile, in a model whose name is hostile too. MID+DN is worth less
** than its parts (25 < 50 - 20), the one superadditivity violation. */
static const char game_csv[] =
    "key,value\n"
    "model,\"<img src=x onerror=alert(2)>\"\n"
    "scenario,dry\n"
    "currency,USD\n"
    "years,10.0000\n"
    "steps,120\n"
    "players,UP MID DN\n"
    "order,upstream first\n"
    "command,naryn share 'a b'\n"
    "grand_value_per_yr,200000000.00\n"
    "baseline_total_per_yr,110000000.00\n"
    "gain_per_yr,90000000.00\n"
    "core,not empty\n"
    "least_core_excess_per_yr,5000000.00\n"
    "nucleolus_lps,2\n"
    "superadditivity_violations,1\n"
    "baseline_sweeps,3\n"
    "baseline_settled,yes\n"
    "baseline_equilibrium,no\n"
    "tolerance_per_yr,200.00\n";

static const char share_csv[] =
    "coalition,size,value_per_yr,baseline_per_yr,gain_per_yr,plan,passes,"
    "held_broken_hm3,benefit_UP,benefit_MID,benefit_DN,currency\n"
    "UP,1,100000000.00,100000000.00,0.00,optimised,2,0.000000,100000000.00,40000000.00,-30000000.00,USD\n"
    "MID,1,50000000.00,40000000.00,10000000.00,optimised,2,0.000000,100000000.00,50000000.00,-30000000.00,USD\n"
    "UP+MID,2,170000000.00,140000000.00,30000000.00,optimised,3,0.000000,110000000.00,60000000.00,-30000000.00,USD\n"
    "DN,1,-20000000.00,-30000000.00,10000000.00,baseline kept,2,0.000000,100000000.00,40000000.00,-20000000.00,USD\n"
    "UP+DN,2,100000000.00,70000000.00,30000000.00,optimised,4,1.500000,90000000.00,40000000.00,10000000.00,USD\n"
    "MID+DN,2,25000000.00,10000000.00,15000000.00,optimised,2,0.000000,100000000.00,30000000.00,-5000000.00,USD\n"
    "UP+MID+DN,3,200000000.00,110000000.00,90000000.00,optimised,5,0.000000,95000000.00,65000000.00,40000000.00,USD\n";

static const char alloc_header[] =
    "method,country,name,benefit_per_yr,baseline_per_yr,gain_per_yr,alone_per_yr,"
    "grand_plan_per_yr,transfer_per_yr,transfer_winter_gwh_per_yr,"
    "individually_rational,in_core,currency\n";

static const char alloc_rows[] =
    "baseline,UP,Upland,100000000.00,100000000.00,0.00,100000000.00,95000000.00,,,yes,no,USD\n"
    "baseline,MID,Midland,40000000.00,40000000.00,0.00,50000000.00,65000000.00,,,no,no,USD\n"
    "baseline,DN,<script>alert(1)</script>,-30000000.00,-30000000.00,0.00,-20000000.00,40000000.00,,,no,no,USD\n"
    "grand_plan,UP,Upland,95000000.00,100000000.00,-5000000.00,100000000.00,95000000.00,0.00,0.000,no,no,USD\n"
    "grand_plan,MID,Midland,65000000.00,40000000.00,25000000.00,50000000.00,65000000.00,0.00,0.000,yes,no,USD\n"
    "grand_plan,DN,<script>alert(1)</script>,40000000.00,-30000000.00,70000000.00,-20000000.00,40000000.00,0.00,0.000,yes,no,USD\n"
    "shapley,UP,Upland,125000000.00,100000000.00,25000000.00,100000000.00,95000000.00,30000000.00,600.000,yes,yes,USD\n"
    "shapley,MID,Midland,60000000.00,40000000.00,20000000.00,50000000.00,65000000.00,-5000000.00,-100.000,yes,yes,USD\n"
    "shapley,DN,<script>alert(1)</script>,15000000.00,-30000000.00,45000000.00,-20000000.00,40000000.00,-25000000.00,-500.000,yes,yes,USD\n"
    "nucleolus,UP,Upland,120000000.00,100000000.00,20000000.00,100000000.00,95000000.00,25000000.00,500.000,yes,yes,USD\n"
    "nucleolus,MID,Midland,62500000.00,40000000.00,22500000.00,50000000.00,65000000.00,-2500000.00,-50.000,yes,yes,USD\n"
    "nucleolus,DN,<script>alert(1)</script>,17500000.00,-30000000.00,47500000.00,-20000000.00,40000000.00,-22500000.00,-450.000,yes,yes,USD\n"
    "equal_gain,UP,Upland,130000000.00,100000000.00,30000000.00,100000000.00,95000000.00,35000000.00,700.000,yes,no,USD\n"
    "equal_gain,MID,Midland,70000000.00,40000000.00,30000000.00,50000000.00,65000000.00,5000000.00,100.000,yes,no,USD\n"
    "equal_gain,DN,<script>alert(1)</script>,0.00,-30000000.00,30000000.00,-20000000.00,40000000.00,-40000000.00,-800.000,yes,no,USD\n";

static const char exchange_csv[] =
    "country,name,season,baseline_energy_gwh_per_yr,grand_energy_gwh_per_yr,"
    "baseline_outflow_km3_per_yr,grand_outflow_km3_per_yr,"
    "baseline_withdrawal_km3_per_yr,grand_withdrawal_km3_per_yr\n"
    "UP,Upland,oct-mar,9000.000,8500.000,12.0000,10.0000,0.1000,0.1000\n"
    "UP,Upland,apr-sep,1000.000,1400.000,3.0000,5.0000,0.2000,0.2000\n"
    "UP,Upland,all,10000.000,9900.000,15.0000,15.0000,0.3000,0.3000\n"
    "MID,Midland,oct-mar,500.000,400.000,20.0000,18.0000,4.0000,3.0000\n"
    "MID,Midland,apr-sep,1500.000,1700.000,10.0000,13.0000,12.0000,13.0000\n"
    "MID,Midland,all,2000.000,2100.000,30.0000,31.0000,16.0000,16.0000\n"
    "DN,<script>alert(1)</script>,oct-mar,300.000,250.000,5.0000,1.0000,1.5000,1.8000\n"
    "DN,<script>alert(1)</script>,apr-sep,300.000,380.000,2.0000,2.0000,11.0000,14.0000\n"
    "DN,<script>alert(1)</script>,all,600.000,630.000,7.0000,3.0000,12.5000,15.8000\n";

static const char super_csv[] =
    "coalition_a,coalition_b,together,value_a_per_yr,value_b_per_yr,"
    "value_together_per_yr,shortfall_per_yr\n"
    "MID,DN,MID+DN,50000000.00,-20000000.00,25000000.00,5000000.00\n";

static const char super_header[] =
    "coalition_a,coalition_b,together,value_a_per_yr,value_b_per_yr,"
    "value_together_per_yr,shortfall_per_yr\n";

/* Writes the game's files into dir. */
static void write_game(const char *dir) {
  char alloc[4096];
  snprintf(alloc, sizeof alloc, "%s%s", alloc_header, alloc_rows);
  tu_write(dir, "game.csv", game_csv);
  tu_write(dir, "share.csv", share_csv);
  tu_write(dir, "allocation.csv", alloc);
  tu_write(dir, "exchange.csv", exchange_csv);
  tu_write(dir, "superadditivity.csv", super_csv);
}

static char *draw(const char *dir, naryn_diags *d, int *rc) {
  char path[128];
  snprintf(path, sizeof path, "%s/report.html", dir);
  remove(path);
  *rc = naryn_report_write(dir, d);
  return tu_slurp(path);
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) n++;
  return n;
}

/* The page: its header, figures, tables and charts, drawn twice to the
** same bytes, with every hostile name shown as text. */
static void page_of_a_game(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64];
  tu_mkdtemp(dir);
  write_game(dir);
  int rc;
  char *html = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_OK);
  assert_non_null(html);
  /* The header: what was run, the players in order, the two plans. */
  assert_non_null(strstr(html, "<h1>&lt;img src=x onerror=alert(2)&gt;</h1>"));
  assert_non_null(strstr(html, "naryn share &#39;a b&#39;"));
  assert_non_null(strstr(html, "<dd>UP Upland, MID Midland, DN &lt;script&gt;alert(1)"
                               "&lt;/script&gt;</dd>"));
  assert_non_null(strstr(html, "<dt>Baseline order</dt><dd>upstream first"));
  assert_non_null(strstr(html, "href=\"baseline/report.html\""));
  assert_non_null(strstr(html, "href=\"grand/report.html\""));
  assert_non_null(strstr(html, "Content-Security-Policy"));
  /* Nothing hostile is markup, and nothing is fetched. */
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "<img"));
  assert_int_equal(count(html, "http:"), count(html, "http://www.w3.org/2000/svg"));
  assert_null(strstr(html, "nan"));
  /* The key figures, in millions. */
  assert_non_null(strstr(html, "together secure 200.00 million USD a year, 90.00 million "
                               "more than the 110.00 million of the baseline"));
  assert_non_null(strstr(html, "<td>90.00 (81.8 %)</td>"));
  assert_non_null(strstr(html, "<td class=\"l\">Least-core excess</td><td>5.00</td>"));
  assert_non_null(strstr(html, "<td>3; settled: yes</td>"));
  /* Every coalition, the grand coalition last and in bold. */
  static const char *const tables[] = {"id=\"game-figures\"", "id=\"coalitions\"",
                                       "id=\"allocations\"", "id=\"exchange\"",
                                       "id=\"superadditivity\"", "id=\"end\""};
  for (size_t k = 0; k < sizeof tables / sizeof *tables; k++)
    assert_non_null(strstr(html, tables[k]));
  assert_non_null(strstr(html, "<tr><td class=\"l\">UP+DN</td><td>2</td><td>100.00</td>"
                               "<td>70.00</td><td>30.00</td><td class=\"l\">optimised</td>"
                               "<td>4</td><td>1.500</td><td>90.00</td><td>40.00</td>"
                               "<td>10.00</td></tr>"));
  assert_non_null(strstr(html, "<tr class=\"total\"><td class=\"l\">UP+MID+DN</td><td>3</td>"
                               "<td>200.00</td>"));
  assert_non_null(strstr(html, "baseline kept"));
  /* The allocations: transfers signed, totals efficient. */
  assert_non_null(strstr(html, "<td class=\"l\">Shapley value</td><td class=\"l\">UP Upland"
                               "</td><td>125.00</td><td>100.00</td><td>25.00</td>"
                               "<td>100.00</td><td>95.00</td><td>+30.00</td><td>+600.0</td>"
                               "<td class=\"l\">yes</td><td class=\"l\">yes</td></tr>"));
  assert_non_null(strstr(html, "<td>-25.00</td><td>-500.0</td>"));
  assert_non_null(strstr(html, "<td class=\"l\">all countries</td><td>200.00</td>"
                               "<td>110.00</td><td>90.00</td>"));
  assert_int_equal(count(html, "<td class=\"l\">all countries</td>"), 5);
  /* The exchange: a row per country and season, changes signed. */
  assert_non_null(strstr(html, "<td class=\"l\">MID Midland</td><td class=\"l\">Oct–Mar"
                               "</td><td>500.0</td><td>400.0</td><td>-100.0</td>"
                               "<td>20.000</td><td>18.000</td><td>-2.000</td>"));
  assert_non_null(strstr(html, "<td>+3.000</td>"));
  /* The charts: a bar per allocation and country, and per season. */
  static const char *const charts[] = {"share-benefit", "share-gain", "exchange-energy",
                                       "exchange-outflow", "exchange-withdrawal"};
  for (size_t k = 0; k < sizeof charts / sizeof *charts; k++) {
    char id[64];
    snprintf(id, sizeof id, "<figure class=\"chart\" id=\"%s\">", charts[k]);
    assert_non_null(strstr(html, id));
  }
  const char *benefit = strstr(html, "id=\"share-benefit\"");
  const char *gain = strstr(html, "id=\"share-gain\"");
  const char *energy = strstr(html, "id=\"exchange-energy\"");
  /* Five allocations of three countries, a swatch of each, and a column
  ** per country for the hover. */
  char *between = strndup(benefit, (size_t)(gain - benefit));
  assert_int_equal(count(between, "<rect "), 5 * 3 + 5 + 3);
  assert_non_null(strstr(between, "DN &lt;script&gt;alert(1)&lt;/script&gt;"));
  free(between);
  /* The gain leaves out the baseline, which gains nothing. */
  between = strndup(gain, (size_t)(energy - gain));
  assert_int_equal(count(between, "<rect "), 4 * 3 + 4 + 3);
  free(between);
  assert_non_null(strstr(html, ">MID Apr–Sep</text>"));
  /* The violation listed. */
  assert_non_null(strstr(html, "<tr><td class=\"l\">MID</td><td class=\"l\">DN</td>"
                               "<td class=\"l\">MID+DN</td><td>50.00</td><td>-20.00</td>"
                               "<td>25.00</td><td>5.00</td></tr>"));
  assert_null(strstr(html, "superadditivity-none"));

  /* Drawn again from the files alone: the same bytes. */
  char *again = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_OK);
  assert_string_equal(html, again);
  free(again);
  free(html);

  /* No violation: a sentence says so, and there is no empty table. */
  char game2[sizeof game_csv];
  snprintf(game2, sizeof game2, "%s", game_csv);
  memcpy(strstr(game2, "superadditivity_violations,1"), "superadditivity_violations,0", 28);
  tu_write(dir, "game.csv", game2);
  tu_write(dir, "superadditivity.csv", super_header);
  html = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_OK);
  assert_non_null(strstr(html, "id=\"superadditivity-none\">No pair of coalitions"));
  assert_null(strstr(html, "id=\"superadditivity\""));
  free(html);
  assert_int_equal(naryn_diags_count(d), 0);
  tu_rmdir(dir);
  naryn_diags_free(d);
}

/* A game over half a year: its figures are totals over the horizon, each
** yearly figure of the files times 0.5 (worked by hand from the files
** above), not yearly means. */
static void short_horizon_as_totals(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], game2[sizeof game_csv];
  tu_mkdtemp(dir);
  write_game(dir);
  snprintf(game2, sizeof game2, "%s", game_csv);
  memcpy(strstr(game2, "years,10.0000"), "years,00.5000", 13);
  tu_write(dir, "game.csv", game2);
  int rc;
  char *html = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_OK);
  assert_non_null(html);
  assert_non_null(strstr(html, "The horizon, 0.50 years, is shorter than a year: the "
                               "figures are its totals, not extrapolated to a year."));
  /* 200, 110 and 90 million a year: 100, 55 and 45 over half a year. */
  assert_non_null(strstr(html, "together secure 100.00 million USD over the horizon, 45.00 "
                               "million more than the 55.00 million of the baseline"));
  assert_non_null(strstr(html, "<td>45.00 (81.8 %)</td>"));
  assert_non_null(strstr(html, "<td class=\"l\">Least-core excess</td><td>2.50</td>"));
  /* A coalition's row: values and benefits halved, its size, passes and
  ** held water as they are. */
  assert_non_null(strstr(html, "<tr><td class=\"l\">UP+DN</td><td>2</td><td>50.00</td>"
                               "<td>35.00</td><td>15.00</td><td class=\"l\">optimised</td>"
                               "<td>4</td><td>1.500</td><td>45.00</td><td>20.00</td>"
                               "<td>5.00</td></tr>"));
  assert_non_null(strstr(html, "<td>62.50</td><td>50.00</td><td>12.50</td>"
                               "<td>50.00</td><td>47.50</td><td>+15.00</td><td>+300.0</td>"));
  /* The exchange: the season "year" is the whole horizon. */
  assert_non_null(strstr(html, "<td class=\"l\">MID Midland</td><td class=\"l\">Oct–Mar"
                               "</td><td>250.0</td><td>200.0</td><td>-50.0</td>"
                               "<td>10.000</td><td>9.000</td><td>-1.000</td>"));
  assert_non_null(strstr(html, "<td class=\"l\">whole horizon</td>"));
  assert_non_null(strstr(html, "energy, GWh over the horizon"));
  assert_non_null(strstr(html, "millions of USD over the horizon"));
  assert_null(strstr(html, "USD a year"));
  assert_null(strstr(html, "GWh a year"));
  assert_null(strstr(html, "km3 a year"));
  assert_non_null(strstr(html, "totals over the horizon, which is shorter than a year"));
  /* The violation, halved. */
  assert_non_null(strstr(html, "<td class=\"l\">MID+DN</td><td>25.00</td><td>-10.00</td>"
                               "<td>12.50</td><td>2.50</td></tr>"));
  free(html);
  assert_int_equal(naryn_diags_count(d), 0);
  tu_rmdir(dir);
  naryn_diags_free(d);
}

/* Writes a file of the game changed, draws, and checks that the page is
** refused with an error holding 'want' and that no page is left. */
static void refused(const char *dir, const char *file, const char *text, const char *want) {
  naryn_diags *d = naryn_diags_new(0);
  write_game(dir);
  tu_write(dir, file, text);
  int rc;
  char *html = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_EIO);
  assert_null(html);
  const char *got = tu_first_error(d);
  if (!strstr(got, want)) fail_msg("expected \"%s\" in \"%s\"", want, got);
  naryn_diags_free(d);
}

/* Replaces the first 'from' in src with 'to' into buf. */
static const char *edit(char *buf, size_t size, const char *src, const char *from,
                        const char *to) {
  const char *at = strstr(src, from);
  assert_non_null(at);
  snprintf(buf, size, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
  return buf;
}

/* Malformed and short files: each refused with the file, line, column
** and field, and nothing written. */
static void malformed_files_refused(void **state) {
  (void)state;
  char dir[64], a[4096], b[4096];
  tu_mkdtemp(dir);
  /* A column missing from allocation.csv's header. */
  refused(dir, "allocation.csv", edit(a, sizeof a, alloc_header, "gain_per_yr,", ""),
          "allocation.csv:1:1: error: expected a column \"gain_per_yr\" in the header");
  /* A value that is not a number: line 8 is Shapley's first row. */
  snprintf(b, sizeof b, "%s%s", alloc_header, alloc_rows);
  edit(a, sizeof a, b, "125000000.00", "lots");
  refused(dir, "allocation.csv", a,
          "allocation.csv:8:19: error: column \"benefit_per_yr\": expected a number, got "
          "\"lots\"");
  /* A row cut short. */
  edit(a, sizeof a, b, ",-40000000.00,-800.000,yes,no,USD", "");
  refused(dir, "allocation.csv", a,
          "allocation.csv:16:95: error: row: expected 13 fields as in the header, got 8");
  /* A file cut at a row's end: the last country of the last method. */
  snprintf(a, sizeof a, "%s", b);
  *strstr(a, "equal_gain,DN") = '\0';
  refused(dir, "allocation.csv", a,
          "allocation.csv:1:1: error: expected a row of method \"equal_gain\" for DN");
  /* A method of naryn's missing altogether. */
  snprintf(a, sizeof a, "%s", b);
  *strstr(a, "equal_gain,") = '\0';
  refused(dir, "allocation.csv", a, "expected rows of method \"equal_gain\", found none");
  /* A country that is not a player, and a flag that is not yes or no. */
  edit(a, sizeof a, b, "nucleolus,MID", "nucleolus,XX");
  refused(dir, "allocation.csv", a,
          "allocation.csv:12:11: error: column \"country\": expected a player of game.csv, "
          "got \"XX\"");
  edit(a, sizeof a, b, "yes,yes,USD", "yes,maybe,USD");
  refused(dir, "allocation.csv", a,
          "error: column \"in_core\": expected yes or no, got \"maybe\"");
  /* game.csv: a figure that is not a number, a key missing, no players. */
  refused(dir, "game.csv",
          edit(a, sizeof a, game_csv, "gain_per_yr,90000000.00", "gain_per_yr,a lot"),
          "game.csv:12:13: error: key \"gain_per_yr\": expected a number, got \"a lot\"");
  refused(dir, "game.csv", edit(a, sizeof a, game_csv, "tolerance_per_yr,200.00\n", ""),
          "game.csv:1:1: error: expected a key \"tolerance_per_yr\"");
  refused(dir, "game.csv", edit(a, sizeof a, game_csv, "players,UP MID DN", "players,UP"),
          "game.csv:7:9: error: key \"players\": expected 2 to 10 different country codes");
  refused(dir, "game.csv", edit(a, sizeof a, game_csv, "core,not empty", "core,perhaps"),
          "key \"core\": expected \"empty\" or \"not empty\", got \"perhaps\"");
  /* share.csv short of a coalition, or without a player's column. */
  snprintf(a, sizeof a, "%s", share_csv);
  *strstr(a, "UP+MID+DN") = '\0';
  refused(dir, "share.csv", a,
          "share.csv:7:1: error: expected 7 rows, a coalition each of game.csv's 3 players, "
          "got 6");
  refused(dir, "share.csv", edit(a, sizeof a, share_csv, "benefit_DN", "benefit_XX"),
          "share.csv:1:1: error: expected a column \"benefit_DN\"");
  /* exchange.csv: a season naryn does not write, a row missing. */
  refused(dir, "exchange.csv", edit(a, sizeof a, exchange_csv, "MID,Midland,apr-sep",
                                    "MID,Midland,summer"),
          "exchange.csv:6:13: error: column \"season\": expected oct-mar, apr-sep or all, "
          "got \"summer\"");
  snprintf(a, sizeof a, "%s", exchange_csv);
  *strstr(a, "DN,<script>alert(1)</script>,all") = '\0';
  refused(dir, "exchange.csv", a, "exchange.csv:1:1: error: expected a row for DN in all");
  /* superadditivity.csv without the pair game.csv counts. */
  refused(dir, "superadditivity.csv", super_header,
          "superadditivity.csv:1:1: error: expected 1 rows (game.csv's "
          "superadditivity_violations), got 0");
  /* A file missing is named. */
  write_game(dir);
  char path[128];
  snprintf(path, sizeof path, "%s/exchange.csv", dir);
  remove(path);
  naryn_diags *d = naryn_diags_new(0);
  int rc;
  char *html = draw(dir, d, &rc);
  assert_int_equal(rc, NARYN_EIO);
  assert_null(html);
  assert_non_null(strstr(tu_first_error(d), "exchange.csv"));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(page_of_a_game),
      cmocka_unit_test(short_horizon_as_totals),
      cmocka_unit_test(malformed_files_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
