/*
** date.c: calendar arithmetic for the model horizon.
**
** Dates are counted as days since 1970-01-01 in the proleptic Gregorian
** calendar, which makes step lengths and orderings plain integer sums.
** The conversion follows the well-known civil-from-days construction on
** 400-year eras.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

long naryn__date_days(int y, int m, int d) {
  long yy = (long)y - (m <= 2);
  long era = (yy >= 0 ? yy : yy - 399) / 400;
  long yoe = yy - era * 400;
  long mp = (m + 9) % 12;
  long doy = (153 * mp + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void naryn__date_ymd(long days, int *y, int *m, int *d) {
  long z = days + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long dd = doy - (153 * mp + 2) / 5 + 1;
  long mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yoe + era * 400 + (mm <= 2));
  *m = (int)mm;
  *d = (int)dd;
}

int naryn__date_month_days(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28;
  return days[(m - 1) % 12];
}

/* Reads exactly n digits at s into *v. */
static int digits(const char *s, int n, int *v) {
  int x = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
    x = x * 10 + (s[i] - '0');
  }
  *v = x;
  return 0;
}

int naryn__date_parse(const char *s, size_t len, int allow_month, int *y,
                      int *m, int *d) {
  int yy, mm, dd = 1;
  if (len != 10 && !(allow_month && len == 7)) return -1;
  if (digits(s, 4, &yy) || s[4] != '-' || digits(s + 5, 2, &mm)) return -1;
  if (len == 10 && (s[7] != '-' || digits(s + 8, 2, &dd))) return -1;
  if (yy < 1 || mm < 1 || mm > 12) return -1;
  if (dd < 1 || dd > naryn__date_month_days(yy, mm)) return -1;
  *y = yy;
  *m = mm;
  *d = dd;
  return 0;
}

long naryn__step_days_parse(const char *s) {
  if (strcmp(s, "monthly") == 0) return 0;
  if (strcmp(s, "daily") == 0) return 1;
  if (strcmp(s, "weekly") == 0) return 7;
  /* "N days" or "N day": digits, one space, the word. */
  long n = 0;
  int k = 0;
  while (isdigit((unsigned char)s[k]) && k < 9) n = n * 10 + (s[k++] - '0');
  if (k == 0 || isdigit((unsigned char)s[k])) return -1;
  if (strcmp(s + k, " days") != 0 && strcmp(s + k, " day") != 0) return -1;
  return n;
}

const char *naryn__step_days_name(int step_days, char *buf, size_t size) {
  if (step_days == 0) return "monthly";
  if (step_days == 1) return "daily";
  if (step_days == 7) return "weekly";
  snprintf(buf, size, "%d days", step_days);
  return buf;
}
