/*
** number.c - exact numbers: integers in full 64 bits, floats written
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

/* Clinger's bound on the mantissa, compared as an integer: converting
** first would round 2^53 + 1 to 2^53 and let it in. */
#define TWO53_INT (UINT64_C(1) << 53)

/* ---- integers ------------------------------------------------------------ */

static const char digit_pairs[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* Two digits per division: this runs for every number we write. */
static size_t utoa(uint64_t u, char *out) {
  char tmp[24];
  char *w = tmp + sizeof tmp;
  size_t len;
  while (u >= 100) {
    const char *d = digit_pairs + 2 * (u % 100);
    u /= 100;
    *--w = d[1];
    *--w = d[0];
  }
  if (u >= 10) {
    *--w = digit_pairs[2 * u + 1];
    *--w = digit_pairs[2 * u];
  }
  else *--w = (char)('0' + u);
  len = (size_t)(tmp + sizeof tmp - w);
  memcpy(out, w, len);
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

/* Does v x 10^e10 read back as a? When v <= 2^53 and the power of ten is
** exact, one IEEE operation rounds exactly as strtod would (Clinger):
** returns 1 or 0. Else -1: ask strtod. */
static int clinger_reads_back(uint64_t v, int e10, double a) {
  if (v > TWO53_INT || e10 < -22 || e10 > 22) return -1;
  return (e10 >= 0 ? (double)v * pow10_exact[e10]
                   : (double)v / pow10_exact[-e10]) == a;
}

/* Does "D1..Dn" x 10^(decpt-n) read back as a? strtod gets a probe with
** no decimal point, so the locale cannot matter. */
static int reads_back(const digits *g, double a) {
  char buf[48];
  size_t len = (size_t)g->n;
  int e = g->decpt - g->n, i, r = -1;
  if (g->n <= 16) {
    uint64_t m = 0;
    for (i = 0; i < g->n; i++) m = m * 10 + (uint64_t)(g->d[i] - '0');
    r = clinger_reads_back(m, e, a);
  }
  if (r >= 0) return r;
  memcpy(buf, g->d, len);
  buf[len++] = 'e';
  len += ksj_format_integer(e, buf + len);
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
static int digits_fast(double a, digits *g, int kmax) {
  int k;
  for (k = 0; k <= kmax; k++) {
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

/* printf's correctly rounded digits of a with p significant digits. We
** read the digits and the exponent and skip whatever decimal point the
** locale put there. */
static void printf_digits(double a, int p, digits *g) {
  char buf[48];
  const char *s = buf;
  int e = 0, neg = 0;
  snprintf(buf, sizeof buf, "%.*e", p - 1, a);
  g->n = 0;
  for (; *s != 'e' && *s != '\0'; s++)
    if (*s >= '0' && *s <= '9' && g->n < 20) g->d[g->n++] = *s;
  if (*s == 'e') s++;
  if (*s == '-') { neg = 1; s++; }
  else if (*s == '+') s++;
  for (; *s >= '0' && *s <= '9'; s++) e = e * 10 + (*s - '0');
  g->decpt = (neg ? -e : e) + 1;
}

/* Adds one to the last digit, carrying. */
static void bump(digits *g) {
  int i = g->n - 1;
  while (i >= 0 && g->d[i] == '9') g->d[i--] = '0';
  if (i >= 0) g->d[i]++;
  else {                                   /* 99..9 + 1 = 100..0 */
    g->d[0] = '1';
    g->decpt++;
  }
}

/* The p-digit decimals just below and above a, cut from its 17 digits.
** Returns -1, 0 or 1 as a lies nearer the lower one, at the midpoint of the
** 17-digit text (undecided: the 17 digits are rounded too), or nearer the
** upper one. */
static int neighbours(const digits *d17, int p, digits *lo, digits *hi) {
  int i, half = 0;
  *lo = *d17;
  lo->n = p;
  *hi = *lo;
  bump(hi);
  if (d17->d[p] != '5') return d17->d[p] < '5' ? -1 : 1;
  for (i = p + 1; i < d17->n; i++) if (d17->d[i] != '0') half = 1;
  return half;
}

/* Shortest digits for the general case. Normal doubles: any decimal of 15
** digits or fewer that reads back is the 15-digit rounding of a (at most
** one 15-digit decimal fits in the rounding interval). At 16 digits the
** nearest may miss while the other neighbour hits (just above a power of
** two the interval is lopsided): Python picks the one that reads back, the
** nearer if both do. 17 digits always read back. One printf gives the 17
** digits; the 15- and 16-digit candidates are cut from them, asking printf
** again only when a 17-digit midpoint leaves the rounding undecided. */
static int try_digits(const digits *d17, int p, double a, digits *g) {
  digits lo, hi;
  int side = neighbours(d17, p, &lo, &hi);
  if (side == 0) {                         /* undecided: let printf round */
    printf_digits(a, p, g);
    side = memcmp(g->d, lo.d, (size_t)p) == 0 && g->decpt == lo.decpt ? -1 : 1;
  }
  *g = side < 0 ? lo : hi;
  if (reads_back(g, a)) return 1;
  if (p < 16) return 0;
  *g = side < 0 ? hi : lo;
  return reads_back(g, a);
}

#ifdef __SIZEOF_INT128__
/* Exact 17 digits without printf, for 1e-6 <= a < 1e17 (where Keras's
** floats live): a = m * 2^e, so a * 10^k = m * 10^k / 2^-e is an exact
** 128-bit quotient and remainder (m < 2^53, 10^k <= 10^22 < 2^74). */
__extension__ typedef unsigned __int128 u128;

typedef struct exact17 {
  uint64_t q;      /* the first 17 digits, truncated */
  int decpt;
  int half;        /* the rest against one half of the 17th digit: -1, 0, 1 */
  int rest;        /* the rest is not zero */
} exact17;

static const uint64_t pow10_u64[20] = {
  1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
  1000000000u, 10000000000u, 100000000000u, 1000000000000u,
  10000000000000u, 100000000000000u, 1000000000000000u,
  10000000000000000u, 100000000000000000u, 1000000000000000000u,
  10000000000000000000u
};

static u128 pow10_u128(int k) {
  return k <= 19 ? (u128)pow10_u64[k] : (u128)pow10_u64[19] * pow10_u64[k - 19];
}

/* floor(log10(2^x)) for |x| < 1000, without shifting negative numbers. */
static int log10_pow2(int x) {
  return x >= 0 ? (int)(((uint32_t)x * 78913u) >> 18)
                : -(int)(((uint32_t)-x * 78913u + 262143u) >> 18);
}

static int exact_digits(double a, exact17 *x) {
  uint64_t bits, m;
  int e, est, tries;
  memcpy(&bits, &a, sizeof bits);
  m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
  e = (int)(bits >> 52 & 0x7FF) - 1075;       /* a = m * 2^e, a normal */
  est = log10_pow2(e + 52);                   /* floor(log10(a)), or one less */
  for (tries = 0; tries < 3; tries++) {
    int k = 16 - est;
    u128 n;
    if (k < 0 || k > 22) return 0;
    n = (u128)m * pow10_u128(k);
    if (e >= 0) {
      n <<= e;
      x->half = -1;
      x->rest = 0;
    }
    else {
      u128 r = n & (((u128)1 << -e) - 1), h = (u128)1 << (-e - 1);
      n >>= -e;
      x->half = r < h ? -1 : r > h;
      x->rest = r != 0;
    }
    if (n >= pow10_u64[17]) est++;            /* 18 digits: scale down */
    else if (n < pow10_u64[16]) est--;
    else {
      x->q = (uint64_t)n;
      x->decpt = 17 - k;
      return 1;
    }
  }
  return 0;
}

/* Does v x 10^e10 read back as a? */
static int int_reads_back(uint64_t v, int e10, double a) {
  int r = clinger_reads_back(v, e10, a);
  digits g;
  if (r >= 0) return r;
  g.n = (int)utoa(v, g.d);
  g.decpt = e10 + g.n;
  return reads_back(&g, a);
}

/* The p-digit decimals below and above a (lo, lo + 1) and which is nearer,
** rounding exact ties to even as printf does. */
static uint64_t cut_exact(const exact17 *x, int p, int *side) {
  uint64_t lo, dropped, half;
  int s;
  switch (p) {      /* constant divisors: multiplications, not divisions */
    case 15: lo = x->q / 100; dropped = x->q % 100; half = 50; break;
    case 16: lo = x->q / 10; dropped = x->q % 10; half = 5; break;
    default: lo = x->q; dropped = half = 0; break;
  }
  if (half == 0) s = x->half;
  else if (dropped != half) s = dropped < half ? -1 : 1;
  else s = x->rest;
  *side = s != 0 ? s : (lo % 2 == 0 ? -1 : 1);
  return lo;
}

/* The rules of try_digits below, on exact digits: sets *v to the p-digit
** decimal that Python would pick, or returns 0 when none reads back. */
static int try_exact(const exact17 *x, int p, double a, uint64_t *v) {
  int side, e10 = x->decpt - p;
  uint64_t lo = cut_exact(x, p, &side);
  *v = side < 0 ? lo : lo + 1;
  if (p == 17 || int_reads_back(*v, e10, a)) return 1;
  if (p < 16) return 0;
  *v = side < 0 ? lo + 1 : lo;
  return int_reads_back(*v, e10, a);
}

static int digits_exact(double a, digits *g) {
  exact17 x;
  uint64_t v;
  int p = 15;
  if (a < 1e-6 || a >= 1e17 || !exact_digits(a, &x)) return 0;
  while (!try_exact(&x, p, a, &v)) p++;
  if (v == pow10_u64[p]) {                    /* 10^p after a carry */
    v = 1;
    g->decpt = x.decpt + 1;
  }
  else g->decpt = x.decpt;
  while (v % 10 == 0) v /= 10;                /* trailing zeros */
  g->n = (int)utoa(v, g->d);
  return 1;
}
#else
static int digits_exact(double a, digits *g) {
  (void)a; (void)g;
  return 0;
}
#endif

static void digits_slow(double a, digits *g) {
  digits d17;
  int p;
  if (a < 2.2250738585072014e-308) {
    /* subnormals: the spacing of doubles is wider than 15 digits can tell
    ** apart, so shorter texts may read back too: try every length */
    for (p = 1; p < 17; p++) {
      printf_digits(a, p, g);
      if (reads_back(g, a)) break;
    }
    if (p == 17) printf_digits(a, 17, g);
  }
  else {
    printf_digits(a, 17, &d17);
    if (!try_digits(&d17, 15, a, g) && !try_digits(&d17, 16, a, g)) *g = d17;
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
  /* cheapest first: up to 3 decimals, then exact digits (1e-6 .. 1e17),
  ** then the rest */
  if (!digits_fast(a, &g, 3) && !digits_exact(a, &g) && !digits_fast(a, &g, 22))
    digits_slow(a, &g);
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

#ifdef __SIZEOF_INT128__
/* 5^k for k <= 27, the powers of five that fit in 64 bits. */
static const uint64_t pow5_u64[28] = {
  1u, 5u, 25u, 125u, 625u, 3125u, 15625u, 78125u, 390625u, 1953125u,
  9765625u, 48828125u, 244140625u, 1220703125u, 6103515625u,
  30517578125u, 152587890625u, 762939453125u, 3814697265625u,
  19073486328125u, 95367431640625u, 476837158203125u, 2384185791015625u,
  11920928955078125u, 59604644775390625u, 298023223876953125u,
  1490116119384765625u, 7450580596923828125u
};

static int bitlen128(u128 x) {
  uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
  if (hi != 0) return 128 - __builtin_clzll(hi);
  return lo != 0 ? 64 - __builtin_clzll(lo) : 0;
}

/* The double nearest q x 2^e2, q > 0 exact except that `sticky` says a
** nonzero rest was cut below q's last bit; ties go to even. The callers
** keep the result a normal double (between 1e-28 and 1e47). */
static double round_binary(u128 q, int sticky, int e2) {
  int len = bitlen128(q), shift = len - 53;
  uint64_t mant, bits;
  double d;
  if (shift <= 0) mant = (uint64_t)q << -shift;       /* exact (sticky = 0) */
  else {
    u128 rest = q & (((u128)1 << shift) - 1), half = (u128)1 << (shift - 1);
    mant = (uint64_t)(q >> shift);
    if (rest > half || (rest == half && (sticky || (mant & 1))))
      if (++mant == UINT64_C(1) << 53) {              /* carried to 2^53 */
        mant >>= 1;
        shift++;
      }
  }
  e2 += shift;                           /* the value is mant x 2^e2 */
  bits = (uint64_t)(e2 + 1075) << 52 | (mant & ((UINT64_C(1) << 52) - 1));
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* m x 10^e10, correctly rounded, for m < 10^19 and |e10| <= 27: what
** Clinger's fast path cannot take there (m > 2^53, the 17- to 19-digit
** mantissas that shortest-repr writers such as Python and kserial give
** random doubles, or a power of ten from 10^23 to 10^27).
** m x 10^e10 = m x 5^e10 x 2^e10, and with 5^|e10| < 2^64 one 128-bit
** product, or one 128-bit quotient and its remainder, is exact. Returns 0
** (and strtod decides) outside that range. */
static int exact_decimal(uint64_t m, long e10, double *out) {
  if (e10 >= 0) {
    if (e10 > 27) return 0;
    *out = round_binary((u128)m * pow5_u64[e10], 0, (int)e10);
  }
  else {
    uint64_t five = e10 >= -27 ? pow5_u64[-e10] : 0;
    int s;
    u128 n, q;
    if (five == 0) return 0;
    /* shift m so that the quotient has 55 bits or more: two bits below
    ** the 53 kept, so that the remainder only breaks ties */
    s = 55 - (64 - __builtin_clzll(m)) + (64 - __builtin_clzll(five));
    if (s < 0) s = 0;
    n = (u128)m << s;                    /* under 2^(55 + 63): no overflow */
    q = n / five;
    *out = round_binary(q, n % five != 0, (int)e10 - s);
  }
  return 1;
}
#else
static int exact_decimal(uint64_t m, long e10, double *out) {
  (void)m; (void)e10; (void)out;
  return 0;
}
#endif

/* m x 10^exp10, where m holds the literal's significant digits when
** there are at most 19 of them (ok). Clinger's fast path (m <= 2^53 and a
** power of ten <= 22: one rounding) and the exact 128-bit path cover
** nearly every real-world float; the rest goes to strtod, on the digits of
** the int part [ip, iend) and the fraction [fp, fend). */
static double to_double(lua_State *L, uint64_t m, int ok, long exp10,
                        const char *ip, const char *iend, const char *fp,
                        const char *fend) {
  double d;
  if (ok && m == 0) return 0.0;
  if (ok && m <= TWO53_INT) {       /* not (double)m: 2^53 + 1 rounds down */
    if (exp10 >= 0 && exp10 <= 22) return (double)m * pow10_exact[exp10];
    if (exp10 < 0 && exp10 >= -22) return (double)m / pow10_exact[-exp10];
  }
  if (ok && exact_decimal(m, exp10, &d)) return d;
  return strtod_digits(L, ip, iend, fp, fend, exp10);
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

/* Eight digits at a time (little-endian machines, where the first byte
** in memory is the word's lowest): 1 when the eight bytes at p are all
** digits, with their value in *out. The two checks: each byte's high
** nibble is 3 (0x30-0x3F), and adding 6 does not carry it out of 0x3F
** (no byte 0x3A-0x3F). Then pairs of digits, pairs of pairs and the two
** halves are combined by multiplications whose partial products land in
** separate bytes. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KSJ_EIGHT_DIGITS 1
static KSJ_INLINE int eight_digits(const char *p, uint64_t *out) {
  uint64_t v;
  memcpy(&v, p, 8);
  if ((v & UINT64_C(0xF0F0F0F0F0F0F0F0)) != UINT64_C(0x3030303030303030) ||
      ((v + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) !=
          UINT64_C(0x3030303030303030))
    return 0;
  v -= UINT64_C(0x3030303030303030);
  v = v * 10 + (v >> 8);            /* byte 2i: the pair of digits 2i, 2i+1 */
  *out = ((v & UINT64_C(0x000000FF000000FF)) *
              (100 + (UINT64_C(1000000) << 32)) +
          (v >> 16 & UINT64_C(0x000000FF000000FF)) *
              (1 + (UINT64_C(10000) << 32))) >> 32;
  return 1;
}
#else
#define KSJ_EIGHT_DIGITS 0
static int eight_digits(const char *p, uint64_t *out) {
  (void)p; (void)out;
  return 0;
}
#endif

/* Digits from p into m (m = m x 10 + digit) while sig, the count of
** significant digits, stays within 19, which 64 bits always hold; past
** that, sig stops at 20 (too many) and the digits are only skipped.
** Returns the end. */
static KSJ_INLINE const char *gather(const char *p, const char *end,
                                     uint64_t *m, int *sig) {
  uint64_t eight;
  while (KSJ_EIGHT_DIGITS && end - p >= 8 && *sig <= 11 &&
         eight_digits(p, &eight)) {
    *m = *m * 100000000u + eight;
    *sig += 8;
    p += 8;
  }
  for (; p < end && ISDIGIT(*p); p++) {
    if (*sig < 19) *m = *m * 10 + (uint64_t)(*p - '0');
    if (*sig < 20) ++*sig;
  }
  return p;
}

/* One pass over the literal: the significant digits (leading zeros do not
** count) are gathered into m as they are scanned. */
const char *ksj_scan_number(lua_State *L, const char *p, const char *end,
                            ksj_number *n) {
  const char *ip, *iend, *fp = NULL, *fend = NULL;
  long e = 0;
  int neg = 0, isfloat = 0, sig = 0;
  uint64_t m = 0;
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
  else p = gather(p, end, &m, &sig);
  iend = p;
  if (p < end && *p == '.') {
    fp = ++p;
    if (p >= end || !ISDIGIT(*p)) {
      n->err = "expected a digit after '.'";
      return p;
    }
    if (m == 0)                      /* 0.000123: the zeros do not count */
      while (p < end && *p == '0') p++;
    p = gather(p, end, &m, &sig);
    fend = p;
    isfloat = 1;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p = scan_exponent(p + 1, end, &e, n);
    if (n->err != NULL) return p;
    isfloat = 1;
  }
  /* an integer literal: a Lua integer when it fits in 64 bits (down to
  ** -2^63), else a float */
  if (!isfloat && sig <= 19 &&
      m <= (uint64_t)LUA_MAXINTEGER + (uint64_t)neg) {
    n->isint = 1;
    n->i = !neg ? (lua_Integer)m
         : m == (uint64_t)LUA_MAXINTEGER + 1 ? LUA_MININTEGER
         : -(lua_Integer)m;
    return p;
  }
  if (fp == NULL) fp = fend = iend;
  n->isint = 0;
  n->d = to_double(L, m, sig <= 19, e - (long)(fend - fp), ip, iend, fp,
                   fend);
  if (neg) n->d = -n->d;
  return p;
}
