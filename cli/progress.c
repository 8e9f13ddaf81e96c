/*
** progress.c: the status line of long runs on the terminal.
**
** A command starts the tracker when it starts; the library's progress
** callback feeds it steps and passes, and the comparison tells it which
** run of how many is under way. Nothing is shown until the command has run
** for NARYN_PROGRESS_DELAY_S seconds (default 1), and only when standard
** error is a terminal and --quiet was not given. The line is rewritten in
** place with a carriage return, at most ten times a second, and cleared
** before any diagnostic or report is printed and when the command ends, so
** that neither the terminal nor a piped output keeps a trace of it.
**
** The estimate of the time left is made from what has been seen, and says
** how firm it is: steps of a simulation come at a steady rate ("about");
** optimisation passes stop when the plan settles, so only their upper
** bound, max_passes, can be projected ("at most about"); runs still to
** come are counted at the mean length of the runs of their kind already
** finished, and a run of another kind that follows is named, not guessed.
*/
#define _DEFAULT_SOURCE /* struct winsize and TIOCGWINSZ */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Redraws are at least this far apart. */
#define REDRAW_S 0.1
/* The line stays below this width when the terminal's is unknown. */
#define DEFAULT_COLUMNS 80

static struct {
  int on;             /* stderr is a terminal and --quiet was not given */
  double delay_s;     /* nothing is drawn before this much time has passed */
  double t0;          /* when the command started */
  double last_draw;   /* when the line was last drawn */
  int drawn;          /* a status line is on the terminal */
  /* The run of the comparison under way; run_n is 0 outside one. */
  int run_k, run_n, more_alike;
  char run_name[64], then[64];
  double run_t0;
  double alike_s;     /* lengths of the finished runs of the current kind */
  int alike_n;
  /* The library run under way: when it reported 0 units done. */
  double unit_t0;
  /* naryn_pareto: the point under way, and the finished ones' lengths. */
  int part;
  double part_t0, parts_s;
  int parts_n;
} pg;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(int quiet) {
  memset(&pg, 0, sizeof pg);
  pg.t0 = now_s();
  pg.on = !quiet && isatty(STDERR_FILENO);
  pg.delay_s = 1.0;
  const char *v = getenv("NARYN_PROGRESS_DELAY_S");
  if (v && *v) {
    char *end;
    double s = strtod(v, &end);
    if (*end == '\0' && isfinite(s) && s >= 0.0) pg.delay_s = s;
  }
}

void cli_progress_clear(void) {
  if (!pg.drawn) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  pg.drawn = 0;
}

void cli_progress_run(int k, int n, const char *name, int more_alike,
                      const char *then) {
  double t = now_s();
  /* The run that just ended counts towards the mean of its kind when this
  ** one is of the same kind (one fewer alike run to come). */
  if (pg.run_n > 0 && pg.more_alike == more_alike + 1) {
    pg.alike_s += t - pg.run_t0;
    pg.alike_n++;
  } else {
    pg.alike_s = 0.0;
    pg.alike_n = 0;
  }
  pg.run_k = k;
  pg.run_n = n;
  pg.more_alike = more_alike;
  snprintf(pg.run_name, sizeof pg.run_name, "%s", name ? name : "");
  snprintf(pg.then, sizeof pg.then, "%s", then ? then : "");
  pg.run_t0 = t;
  pg.part = 0;
  pg.parts_s = 0.0;
  pg.parts_n = 0;
}

/* Writes a length of time such as "0.6 s", "42 s" or "3 min 05 s". */
static void duration(char *buf, size_t size, double s) {
  if (s < 9.95)
    snprintf(buf, size, "%.1f s", s);
  else if (s < 99.5)
    snprintf(buf, size, "%.0f s", s);
  else
    snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60.0));
}

/* Appends formatted text to the line, which stays NUL-terminated. */
static void add(char *line, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char *line, size_t size, const char *fmt, ...) {
  size_t len = strlen(line);
  if (len + 1 >= size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line + len, size - len, fmt, ap);
  va_end(ap);
}

/* Composes the status line for report p at time t. */
static void compose(char *line, size_t size, const naryn_progress *p, double t) {
  int opt = strcmp(p->phase, "optimise") == 0;
  line[0] = '\0';
  add(line, size, "naryn: ");
  if (pg.run_n > 1)
    add(line, size, "run %d of %d (%s); ", pg.run_k, pg.run_n, pg.run_name);
  if (p->parts > 0) add(line, size, "pareto point %d of %d; ", p->part, p->parts);
  if (opt) {
    int pass = p->done < p->total ? p->done + 1 : p->done;
    add(line, size, "optimise pass %d of %s%d; ", pass,
        p->total_is_bound ? "at most " : "", p->total);
  } else if (strcmp(p->phase, "simulate") == 0) {
    add(line, size, "%s step %d of %d", p->phase, p->done, p->total);
    if (p->step_date) add(line, size, " (%.10s)", p->step_date);
    add(line, size, "; ");
  } else {
    /* Benefit sharing: "baseline 2 of 4", "coalitions 7 of 15". */
    add(line, size, "%s %d of %d; ", p->phase, p->done, p->total);
  }
  char buf[32];
  duration(buf, sizeof buf, t - pg.t0);
  add(line, size, "%s elapsed", buf);
  /* Nothing to measure a rate by until a unit is done. */
  if (p->done <= 0 || p->total <= 0) return;
  double per = (t - pg.unit_t0) / p->done;
  double left = per * (p->total - p->done);
  int bounded = p->total_is_bound, unknown = 0;
  const char *scope = "";
  if (p->parts > 0 && p->part < p->parts) {
    /* Points still to come, at the mean length of those finished. */
    if (pg.parts_n > 0)
      left += (p->parts - p->part) * (pg.parts_s / pg.parts_n);
    else
      unknown = 1, scope = " in this point";
  }
  if (pg.run_n > 0 && pg.more_alike > 0 && !unknown) {
    /* Runs of the same kind still to come, at the mean length of those
    ** finished, or else at this run's projected length. */
    if (pg.alike_n > 0)
      left += pg.more_alike * (pg.alike_s / pg.alike_n);
    else if (!bounded && p->parts == 0)
      left += pg.more_alike * (t - pg.run_t0 + left);
    else
      unknown = 1, scope = " in this run";
  }
  char then[96] = "";
  if (!unknown && pg.then[0]) snprintf(then, sizeof then, " before %s", pg.then);
  duration(buf, sizeof buf, left);
  if (opt) {
    char pb[32];
    duration(pb, sizeof pb, per);
    add(line, size, ", %s a pass", pb);
  }
  add(line, size, ", %s%s left%s%s", bounded ? "at most about " : "about ", buf,
      scope, then);
}

void cli_progress_report(void *user, const naryn_progress *p) {
  (void)user;
  if (!pg.on) return;
  double t = now_s();
  if (p->parts > 0 && p->part != pg.part) {
    if (pg.part > 0) {
      pg.parts_s += t - pg.part_t0;
      pg.parts_n++;
    }
    pg.part = p->part;
    pg.part_t0 = t;
  }
  if (p->done == 0) pg.unit_t0 = t;
  if (t - pg.t0 < pg.delay_s || (pg.drawn && t - pg.last_draw < REDRAW_S))
    return;
  char line[512];
  compose(line, sizeof line, p, t);
  /* One line that never wraps, or the carriage return could not take it
  ** back. */
  struct winsize ws;
  int cols = DEFAULT_COLUMNS;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) cols = ws.ws_col;
  if (cols > 1 && strlen(line) > (size_t)(cols - 1)) line[cols - 1] = '\0';
  fprintf(stderr, "\r%s\033[K", line);
  fflush(stderr);
  pg.drawn = 1;
  pg.last_draw = t;
}

void cli_progress_sim(naryn_sim_opts *o) {
  naryn_sim_opts_init(o);
  if (!pg.on) return;
  o->progress = cli_progress_report;
  o->progress_user = NULL;
}

void cli_progress_opt(naryn_opt_opts *o) {
  naryn_opt_opts_init(o);
  if (!pg.on) return;
  o->progress = cli_progress_report;
  o->progress_user = NULL;
}
