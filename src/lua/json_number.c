/*
** json_number.c - exact numbers: integers in full 64 bits, floats written
** as the shortest text that reads back to the same double (Python's repr)
** and read with correct rounding. Nothing here depends on the C locale:
** we never ask printf or strtod to write or read a decimal point.
*/
#define KSJ_INTERNAL
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ks_json.h"

/* Powers of ten that a double holds exactly. */
static const double pow10_exact[23] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#define TWO53 9007199254740992.0

/* ---- integers ------------------------------------------------------------ */

static size_t utoa(uint64_t u, char *out) {
  char tmp[24];
  size_t n = 0, len = 0;
  do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u != 0);
  while (n > 0) out[len++] = tmp[--n];
  return len;
}

size_t ksj_format_integer(lua_Integer v, char *out) {
  if (v < 0) {
    out[0] = '-';
    return 1 + utoa(0u - (uint64_t)v, out + 1);  /* also right for mininteger */
  }
  return utoa((uint64_t)v, out);
}

/* ---- floats: shortest digits ---------------------------------------------- */

/* The decimal digits of a double a > 0: a = 0.D1D2...Dn x 10^decpt. */
typedef struct digits {
  char d[24];
  int n;
  int decpt;
} digits;

/* Does "D1..Dn" x 10^(decpt-n) read back as a? The probe has no decimal
** point, so strtod's locale cannot matter. */
static int reads_back(const digits *g, double a) {
  char buf[48];
  size_t len = (size_t)g->n;
  memcpy(buf, g->d, len);
  buf[len++] = 'e';
  len += ksj_format_integer(g->decpt - g->n, buf + len);
  buf[len] = '\0';
  return strtod(buf, NULL) == a;
}

static void strip_zeros(digits *g) {
  while (g->n > 1 && g->d[g->n - 1] == '0') g->n--;
}

/* Fast path for the common short decimals (0.001, 1e-07, 123.5): the first
** k with m = round(a * 10^k) < 10^15 and m / 10^k == a. Both operands are
** exact, so the division is rounded once, exactly as strtod rounds "m e-k":
** m is a shortest candidate that reads back. Below 10^15 (15 digits) at most
** one such decimal exists per length, so this is also Python's choice. */
static int digits_fast(double a, digits *g) {
  int k;
  for (k = 0; k <= 22; k++) {
    double x = a * pow10_exact[k];
    uint64_t m;
    if (x >= 1e15) return 0;
    m = (uint64_t)(x + 0.5);
    if (m != 0 && (double)m / pow10_exact[k] == a) {
      g->n = (int)utoa(m, g->d);
      g->decpt = g->n - k;
      strip_zeros(g);
      return 1;
    }
  }
  return 0;
}

/* Reads printf's "%.Ne" output: the digits (skipping whatever decimal
** point the locale uses) and the exponent. */
static void parse_e_format(const char *s, digits *g) {
  int e = 0, neg = 0;
  g->n = 0;
  for (; *s != 'e' && *s != '\0'; s++)
    if (*s >= '0' && *s <= '9' && g->n < 20) g->d[g->n++] = *s;
  if (*s == 'e') s++;
  if (*s == '-') { neg = 1; s++; }
  else if (*s == '+') s++;
  for (; *s >= '0' && *s <= '9'; s++) e = e * 10 + (*s - '0');
  g->decpt = (neg ? -e : e) + 1;
}

/* Adds delta (+1 or -1) to the last digit, carrying. */
static void bump(digits *g, int delta) {
  int i = g->n - 1;
  if (delta > 0) {
    while (i >= 0 && g->d[i] == '9') g->d[i--] = '0';
    if (i >= 0) g->d[i]++;
    else {                                 /* 99..9 + 1 = 100..0 */
      g->d[0] = '1';
      g->decpt++;
    }
  }
  else {
    while (i >= 0 && g->d[i] == '0') g->d[i--] = '9';
    if (i >= 0) g->d[i]--;
    if (g->d[0] == '0') {                  /* 100..0 - 1 = 99..9 */
      memmove(g->d, g->d + 1, (size_t)--g->n);
      g->decpt--;
    }
  }
}

/* The general case: correctly rounded 15, 16, then 17 digits, the first that
** reads back (fewer than 15 would have been found by the fast path, or are
** exactly the 15-digit text with trailing zeros). With 16 digits the nearest may miss while a neighbour hits
** (just above a power of two the rounding interval is lopsided); Python
** picks the neighbour then, so we try both. 17 digits always read back. */
static void digits_slow(double a, digits *g) {
  /* Below DBL_MIN (subnormals) the spacing of doubles is wider than 15
  ** digits can tell apart, so shorter texts may read back too: start at 1. */
  int p = a < 2.2250738585072014e-308 ? 1 : 15;
  for (; p <= 17; p++) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, a);
    parse_e_format(buf, g);
    if (p == 17 || reads_back(g, a)) break;
    if (p == 16) {
      digits up = *g, down = *g;
      bump(&up, 1);
      bump(&down, -1);
      if (reads_back(&up, a)) { *g = up; break; }
      if (reads_back(&down, a)) { *g = down; break; }
    }
  }
  strip_zeros(g);
}

/* Python's repr layout: fixed notation when -4 < decpt <= 16, else
** scientific with a signed exponent of at least two digits. */
static size_t layout(const digits *g, char *out) {
  size_t len = 0;
  int i, n = g->n, dp = g->decpt;
  if (dp > -4 && dp <= 16) {
    if (dp <= 0) {
      out[len++] = '0'; out[len++] = '.';
      for (i = dp; i < 0; i++) out[len++] = '0';
      memcpy(out + len, g->d, (size_t)n); len += (size_t)n;
    }
    else if (dp < n) {
      memcpy(out + len, g->d, (size_t)dp); len += (size_t)dp;
      out[len++] = '.';
      memcpy(out + len, g->d + dp, (size_t)(n - dp)); len += (size_t)(n - dp);
    }
    else {
      memcpy(out + len, g->d, (size_t)n); len += (size_t)n;
      for (i = n; i < dp; i++) out[len++] = '0';
      out[len++] = '.'; out[len++] = '0';
    }
  }
  else {
    int e = dp - 1;
    out[len++] = g->d[0];
    if (n > 1) {
      out[len++] = '.';
      memcpy(out + len, g->d + 1, (size_t)(n - 1)); len += (size_t)(n - 1);
    }
    out[len++] = 'e';
    out[len++] = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e < 10) out[len++] = '0';
    len += utoa((uint64_t)e, out + len);
  }
  return len;
}

size_t ksj_format_double(double v, char *out) {
  size_t len = 0;
  double a = v < 0 ? -v : v;
  digits g;
  if (v < 0 || (v == 0 && 1 / v < 0)) out[len++] = '-';   /* -0.0 too */
  if (a == 0) {
    memcpy(out + len, "0.0", 3);
    return len + 3;
  }
  if (a < 1e16 && a == (double)(int64_t)a) {   /* integral: 1.0, 100.0 */
    len += utoa((uint64_t)a, out + len);
    out[len++] = '.'; out[len++] = '0';
    return len;
  }
  if (!digits_fast(a, &g)) digits_slow(a, &g);
  return len + layout(&g, out + len);
}

/* ---- reading numbers ----------------------------------------------------- */

#define ISDIGIT(c) ((unsigned)((c) - '0') < 10u)
#define EXP_CAP 1000000000L   /* beyond any double; keeps the sums in range */

/* Long or odd literals go through strtod on "DIGITS e EXP" (no decimal
** point: locale-proof). The copy lives in a Lua buffer, never in malloc. */
static KSJ_NOINLINE double strtod_digits(lua_State *L, const char *ip,
                                         const char *iend, const char *fp,
                                         const char *fend, long exp10) {
  char tmp[128];
  char ebuf[KSJ_NUMBUF];
  size_t ni = (size_t)(iend - ip), nf = (size_t)(fend - fp), ne;
  ebuf[0] = 'e';
  ne = 1 + ksj_format_integer(exp10, ebuf + 1);
  if (ni + nf + ne < sizeof tmp) {
    memcpy(tmp, ip, ni);
    memcpy(tmp + ni, fp, nf);
    memcpy(tmp + ni + nf, ebuf, ne);
    tmp[ni + nf + ne] = '\0';
    return strtod(tmp, NULL);
  }
  else {
    luaL_Buffer b;
    double d;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, ip, ni);
    luaL_addlstring(&b, fp, nf);
    luaL_addlstring(&b, ebuf, ne);
    luaL_pushresult(&b);
    d = strtod(lua_tostring(L, -1), NULL);
    lua_pop(L, 1);
    return d;
  }
}

/* The significant digits of int and fraction parts as an integer, when at
** most 19 of them (else returns 0 in *ok). Leading zeros do not count. */
static uint64_t mantissa(const char *ip, const char *iend, const char *fp,
                         const char *fend, int *ok) {
  uint64_t m = 0;
  int sig = 0;
  const char *s;
  for (s = ip; s < iend; s++) {
    if (m == 0 && *s == '0') continue;
    if (++sig > 19) { *ok = 0; return 0; }
    m = m * 10 + (uint64_t)(*s - '0');
  }
  for (s = fp; s < fend; s++) {
    if (m == 0 && *s == '0') continue;
    if (++sig > 19) { *ok = 0; return 0; }
    m = m * 10 + (uint64_t)(*s - '0');
  }
  *ok = sig <= 19;
  return m;
}

/* int part [ip, iend), fraction [fp, fend), exponent e. Clinger's fast path
** (exact mantissa <= 2^53 and power of ten <= 22: one rounding) covers
** nearly every real-world float; the rest goes to strtod. */
static double to_double(lua_State *L, const char *ip, const char *iend,
                        const char *fp, const char *fend, long e) {
  int ok;
  uint64_t m = mantissa(ip, iend, fp, fend, &ok);
  long exp10 = e - (long)(fend - fp);
  if (ok && m == 0) return 0.0;
  if (ok && (double)m <= TWO53) {
    if (exp10 >= 0 && exp10 <= 22) return (double)m * pow10_exact[exp10];
    if (exp10 < 0 && exp10 >= -22) return (double)m / pow10_exact[-exp10];
  }
  return strtod_digits(L, ip, iend, fp, fend, exp10);
}

/* Integer literal (no fraction or exponent): a Lua integer when it fits in
** 64 bits (down to -2^63), else 0 so the caller falls back to a float. */
static int to_integer(const char *ip, const char *iend, int neg,
                      lua_Integer *out) {
  uint64_t u = 0;
  const char *s;
  if (iend - ip > 19) return 0;           /* the literal has no leading 0 */
  for (s = ip; s < iend; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (u > (UINT64_MAX - d) / 10) return 0;
    u = u * 10 + d;
  }
  if (!neg) {
    if (u > (uint64_t)LUA_MAXINTEGER) return 0;
    *out = (lua_Integer)u;
  }
  else {
    if (u > (uint64_t)LUA_MAXINTEGER + 1) return 0;
    *out = u == (uint64_t)LUA_MAXINTEGER + 1 ? LUA_MININTEGER
                                            : -(lua_Integer)u;
  }
  return 1;
}

static const char *scan_exponent(const char *p, const char *end, long *e,
                                 ksj_number *n) {
  int neg = 0;
  long v = 0;
  if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
  if (p >= end || !ISDIGIT(*p)) {
    n->err = "expected a digit in the exponent";
    return p;
  }
  for (; p < end && ISDIGIT(*p); p++)
    if (v < EXP_CAP) v = v * 10 + (*p - '0');
  *e = neg ? -v : v;
  return p;
}

const char *ksj_scan_number(lua_State *L, const char *p, const char *end,
                            ksj_number *n) {
  const char *ip, *iend, *fp = NULL, *fend = NULL;
  long e = 0;
  int neg = 0, isfloat = 0;
  n->err = NULL;
  if (*p == '-') { neg = 1; p++; }
  ip = p;
  if (p >= end || !ISDIGIT(*p)) {
    n->err = "expected a digit after '-'";
    return p;
  }
  if (*p == '0') {
    p++;
    if (p < end && ISDIGIT(*p)) {
      n->err = "leading zeros are not allowed";
      return p - 1;
    }
  }
  else while (p < end && ISDIGIT(*p)) p++;
  iend = p;
  if (p < end && *p == '.') {
    fp = ++p;
    if (p >= end || !ISDIGIT(*p)) {
      n->err = "expected a digit after '.'";
      return p;
    }
    while (p < end && ISDIGIT(*p)) p++;
    fend = p;
    isfloat = 1;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p = scan_exponent(p + 1, end, &e, n);
    if (n->err != NULL) return p;
    isfloat = 1;
  }
  if (!isfloat && to_integer(ip, iend, neg, &n->i)) {
    n->isint = 1;
    return p;
  }
  if (fp == NULL) fp = fend = iend;
  n->isint = 0;
  n->d = to_double(L, ip, iend, fp, fend, e);
  if (neg) n->d = -n->d;
  return p;
}
