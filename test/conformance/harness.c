/*
 * svirt conformance harness: libsepol's own access decisions, in the `svirt compute-av` line format.
 *
 * Linked against the static libsepol.a (Debian libsepol-dev), because sepol_context_to_sid and
 * sepol_compute_av_reason work on libsepol's private global policydb/sidtab, which the shared
 * library does not expose. This program is ground truth for test/conformance/: it must stay a thin
 * adapter over libsepol, never a second implementation of the decision.
 *
 * Usage:
 *   harness POLICY [--bool NAME=VALUE]... < queries      one output line per query line
 *   harness POLICY [--bool ...] --time [--min-ms N] < q  time sepol_compute_av_reason only
 *   harness POLICY --load-time [--repeat N]              time reading the binary policy
 *
 * Input (one query a line): `SCONTEXT TCONTEXT TCLASS [PERM ...]`. Permissions are separated by
 * spaces and/or commas and may be wrapped in one pair of braces (around at least one permission).
 * `#` starts a comment; blank and comment-only lines produce no output.
 *
 * Output (tab-separated): SCONTEXT TCONTEXT TCLASS REQUESTED VERDICT ALLOWED
 *   SCONTEXT/TCONTEXT/TCLASS  the input tokens, echoed (`-` when missing on a MALFORMED line)
 *   REQUESTED  requested permission names, sorted by strcmp, space-separated; `*` when none;
 *              `-` on ERR lines
 *   VERDICT    `allow` | `deny:R[,R...]` (R in TE, CONS, RBAC, BOUNDS in that order, then BOOL)
 *              | `-` (nothing requested) | `ERR:MALFORMED|BADSCON|BADTCON|BADCLASS|BADPERM`
 *   ALLOWED    every permission of the class in the allowed vector, sorted; `-` when empty or ERR
 * Error precedence on one line: MALFORMED, BADSCON, BADTCON, BADCLASS, BADPERM.
 *
 * BOOL (not a libsepol reason, added here): some requested permission that type enforcement denied
 * (requested & ~te_allowed, where te_allowed is the vector before constraints, exactly the set
 * libsepol's TE reason looks at) would be granted by a conditional avtab ALLOWED entry that is
 * currently disabled and whose key matches type_attr_map(source) x type_attr_map(target) x class.
 *
 * Exit status: 0 on success, 2 on usage errors or an unreadable policy.
 */
#define HARNESS_NAME "harness"
#include "sepol-common.h"

#include <sepol/policydb/avtab.h>
#include <sepol/policydb/ebitmap.h>

/* libsepol's reason bits (include/sepol/policydb/services.h SEPOL_COMPUTEAV_*) */
#ifndef SEPOL_COMPUTEAV_TE
#define SEPOL_COMPUTEAV_TE 0x1U
#define SEPOL_COMPUTEAV_CONS 0x2U
#define SEPOL_COMPUTEAV_RBAC 0x4U
#endif
#ifndef SEPOL_COMPUTEAV_BOUNDS
#define SEPOL_COMPUTEAV_BOUNDS 0x8U
#endif


/* permission names per class value: perm_names[class - 1][bit] (NULL for unnamed bits) */
static const char *(*perm_names)[32];

/* ---- policy loading ------------------------------------------------------------------------ */

struct name_table_arg {
  const char **names;
};

static int collect_perm(hashtab_key_t key, hashtab_datum_t datum, void *arg) {
  perm_datum_t *perm = (perm_datum_t *)datum;
  struct name_table_arg *t = (struct name_table_arg *)arg;
  if (perm->s.value >= 1 && perm->s.value <= 32) t->names[perm->s.value - 1] = (const char *)key;
  return 0;
}

static void build_perm_names(void) {
  uint32_t n = policy.p_classes.nprim;
  perm_names = calloc(n, sizeof *perm_names);
  if (!perm_names) die("out of memory", NULL);
  for (uint32_t c = 0; c < n; c++) {
    class_datum_t *cls = policy.class_val_to_struct[c];
    if (!cls) continue;
    struct name_table_arg arg = {perm_names[c]};
    if (cls->comdatum) hashtab_map(cls->comdatum->permissions.table, collect_perm, &arg);
    hashtab_map(cls->permissions.table, collect_perm, &arg);
  }
}

/* ---- query parsing ------------------------------------------------------------------------- */

enum err_kind { OK = 0, E_MALFORMED, E_BADSCON, E_BADTCON, E_BADCLASS, E_BADPERM };
static const char *const err_names[] = {"", "MALFORMED", "BADSCON", "BADTCON", "BADCLASS", "BADPERM"};

struct query {
  char *scon, *tcon, *cls; /* owned copies of the first three tokens (NULL when missing) */
  char **perms;            /* permission tokens */
  size_t nperms;
  int err;                 /* enum err_kind found while tokenizing (MALFORMED only) */
};

static char *dup_range(const char *a, const char *b) {
  size_t n = (size_t)(b - a);
  char *s = malloc(n + 1);
  if (!s) die("out of memory", NULL);
  memcpy(s, a, n);
  s[n] = '\0';
  return s;
}


/* Returns 0 for a blank/comment line (no query), 1 otherwise. */
static int parse_line(char *line, struct query *q) {
  memset(q, 0, sizeof *q);
  char *hash = strchr(line, '#');
  if (hash) *hash = '\0';
  char *p = line;
  char *fields[3] = {NULL, NULL, NULL};
  int nf = 0;
  while (nf < 3) {
    while (*p && is_space(*p)) p++;
    if (!*p) break;
    char *start = p;
    while (*p && !is_space(*p)) p++;
    fields[nf++] = dup_range(start, p);
  }
  if (nf == 0) return 0;
  q->scon = fields[0];
  q->tcon = fields[1];
  q->cls = fields[2];
  if (nf < 3) {
    q->err = E_MALFORMED;
    return 1;
  }
  /* permission area: optional single pair of braces around a space/comma separated list */
  while (*p && is_space(*p)) p++;
  char *end = p + strlen(p);
  while (end > p && is_space(end[-1])) end--;
  int open = 0, close = 0;
  if (p < end && *p == '{') {
    open = 1;
    p++;
  }
  if (end > p && end[-1] == '}') {
    close = 1;
    end--;
  }
  if (open != close) {
    q->err = E_MALFORMED;
    return 1;
  }
  for (char *c = p; c < end; c++)
    if (*c == '{' || *c == '}') {
      q->err = E_MALFORMED;
      return 1;
    }
  if (open) {
    /* braces around nothing (only blanks/commas) are malformed: no permissions is written as none */
    char *c = p;
    while (c < end && (is_space(*c) || *c == ',')) c++;
    if (c == end) {
      q->err = E_MALFORMED;
      return 1;
    }
  }
  size_t cap = 8;
  q->perms = malloc(cap * sizeof *q->perms);
  if (!q->perms) die("out of memory", NULL);
  while (p < end) {
    while (p < end && (is_space(*p) || *p == ',')) p++;
    if (p >= end) break;
    char *start = p;
    while (p < end && !is_space(*p) && *p != ',') p++;
    if (q->nperms == cap) {
      cap *= 2;
      q->perms = realloc(q->perms, cap * sizeof *q->perms);
      if (!q->perms) die("out of memory", NULL);
    }
    q->perms[q->nperms++] = dup_range(start, p);
  }
  return 1;
}

static void free_query(struct query *q) {
  free(q->scon);
  free(q->tcon);
  free(q->cls);
  for (size_t i = 0; i < q->nperms; i++) free(q->perms[i]);
  free(q->perms);
}

/* ---- decision ------------------------------------------------------------------------------ */

struct resolved {
  int err;
  sepol_security_id_t ssid, tsid;
  sepol_security_class_t tclass;
  sepol_access_vector_t requested;
};

/* Caller guarantees room for two new entries in the SID cache (see ensure_sid_room). */
static void resolve(const struct query *q, struct resolved *r) {
  memset(r, 0, sizeof *r);
  if (q->err) {
    r->err = q->err;
    return;
  }
  r->ssid = context_sid(q->scon);
  if (!r->ssid) {
    r->err = E_BADSCON;
    return;
  }
  r->tsid = context_sid(q->tcon);
  if (!r->tsid) {
    r->err = E_BADTCON;
    return;
  }
  if (sepol_string_to_security_class(q->cls, &r->tclass) < 0 || r->tclass == 0) {
    r->err = E_BADCLASS;
    return;
  }
  for (size_t i = 0; i < q->nperms; i++) {
    sepol_access_vector_t av = 0;
    if (sepol_string_to_av_perm(r->tclass, q->perms[i], &av) < 0 || av == 0) {
      r->err = E_BADPERM;
      return;
    }
    r->requested |= av;
  }
}

static void ensure_sid_room(void) {
  if (sid_cache_len + 2 > SID_CACHE_LIMIT) reset_sids();
}

/* TE-stage vectors: what type enforcement allows now, and what disabled conditional rules would. */
static void te_vectors(uint32_t stype, uint32_t ttype, uint32_t tclass, uint32_t *te_allowed, uint32_t *disabled_allow) {
  ebitmap_t *sattr = &policy.type_attr_map[stype - 1];
  ebitmap_t *tattr = &policy.type_attr_map[ttype - 1];
  ebitmap_node_t *snode, *tnode;
  unsigned int i, j;
  *te_allowed = 0;
  *disabled_allow = 0;
  ebitmap_for_each_positive_bit(sattr, snode, i) {
    ebitmap_for_each_positive_bit(tattr, tnode, j) {
      avtab_key_t key;
      key.source_type = (uint16_t)(i + 1);
      key.target_type = (uint16_t)(j + 1);
      key.target_class = (uint16_t)tclass;
      key.specified = AVTAB_ALLOWED;
      for (avtab_ptr_t n = avtab_search_node(&policy.te_avtab, &key); n; n = avtab_search_node_next(n, AVTAB_ALLOWED))
        if (n->key.specified & AVTAB_ALLOWED) *te_allowed |= n->datum.data;
      for (avtab_ptr_t n = avtab_search_node(&policy.te_cond_avtab, &key); n; n = avtab_search_node_next(n, AVTAB_ALLOWED)) {
        if (!(n->key.specified & AVTAB_ALLOWED)) continue;
        if (n->key.specified & AVTAB_ENABLED) *te_allowed |= n->datum.data;
        else *disabled_allow |= n->datum.data;
      }
    }
  }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Appends the sorted names of `mask` in class `tclass` (or `empty` when none) to `out`. */
static void print_names(FILE *out, sepol_security_class_t tclass, uint32_t mask, const char *empty) {
  const char *names[32];
  size_t n = 0;
  for (unsigned bit = 0; bit < 32; bit++) {
    if (!(mask & (1U << bit))) continue;
    const char *name = perm_names[tclass - 1][bit];
    if (name) names[n++] = name; /* unnamed bits (e.g. from `~{...}` complements) are not printed */
  }
  if (n == 0) {
    fputs(empty, out);
    return;
  }
  qsort(names, n, sizeof names[0], cmp_str);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(' ', out);
    fputs(names[i], out);
  }
}

static void answer(FILE *out, const struct query *q) {
  struct resolved r;
  ensure_sid_room();
  resolve(q, &r);
  fprintf(out, "%s\t%s\t%s\t", q->scon ? q->scon : "-", q->tcon ? q->tcon : "-", q->cls ? q->cls : "-");
  if (r.err) {
    fprintf(out, "-\tERR:%s\t-\n", err_names[r.err]);
    return;
  }
  struct sepol_av_decision avd;
  unsigned int reason = 0;
  if (sepol_compute_av_reason(r.ssid, r.tsid, r.tclass, r.requested, &avd, &reason) < 0) {
    /* cannot happen for resolved SIDs/classes; fail closed and say so */
    fprintf(out, "-\tERR:MALFORMED\t-\n");
    return;
  }
  print_names(out, r.tclass, r.requested, "*");
  fputc('\t', out);
  if (r.requested == 0) {
    fputc('-', out);
  } else if (reason == 0) {
    fputs("allow", out);
  } else {
    static const struct { unsigned bit; const char *name; } order[] = {
      {SEPOL_COMPUTEAV_TE, "TE"}, {SEPOL_COMPUTEAV_CONS, "CONS"}, {SEPOL_COMPUTEAV_RBAC, "RBAC"}, {SEPOL_COMPUTEAV_BOUNDS, "BOUNDS"}};
    int first = 1;
    fputs("deny:", out);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
      if (!(reason & order[i].bit)) continue;
      fprintf(out, "%s%s", first ? "" : ",", order[i].name);
      first = 0;
    }
    if (reason & SEPOL_COMPUTEAV_TE) {
      context_struct_t *s = sepol_sidtab_search(&sids, r.ssid);
      context_struct_t *t = sepol_sidtab_search(&sids, r.tsid);
      uint32_t te_allowed, disabled;
      te_vectors(s->type, t->type, r.tclass, &te_allowed, &disabled);
      if (disabled & r.requested & ~te_allowed) fprintf(out, "%sBOOL", first ? "" : ",");
    }
  }
  fputc('\t', out);
  print_names(out, r.tclass, avd.allowed, "-");
  fputc('\n', out);
}

/* ---- modes --------------------------------------------------------------------------------- */

static struct query *read_all(size_t *count) {
  size_t cap = 1024, n = 0;
  struct query *qs = malloc(cap * sizeof *qs);
  char *line = NULL;
  size_t linecap = 0;
  if (!qs) die("out of memory", NULL);
  while (getline(&line, &linecap, stdin) >= 0) {
    if (n == cap) {
      cap *= 2;
      qs = realloc(qs, cap * sizeof *qs);
      if (!qs) die("out of memory", NULL);
    }
    if (parse_line(line, &qs[n])) n++;
  }
  free(line);
  *count = n;
  return qs;
}

/*
 * --time: resolve queries in chunks that fit the SID cache, then time sepol_compute_av_reason over
 * each chunk (resolution excluded), repeating the whole set until at least min_ms have been spent.
 * Prints `TIME decisions=N total_ns=T ns_per_decision=X`.
 */
static void time_mode(double min_ms) {
  size_t n;
  struct query *qs = read_all(&n);
  struct resolved *rs = malloc((n ? n : 1) * sizeof *rs);
  if (!rs) die("out of memory", NULL);
  double total_ns = 0;
  unsigned long long decisions = 0;
  volatile uint32_t sink = 0;
  do {
    size_t i = 0;
    while (i < n) {
      reset_sids();
      size_t start = i;
      while (i < n && sid_cache_len + 2 <= SID_CACHE_LIMIT) {
        resolve(&qs[i], &rs[i]);
        i++;
      }
      double t0 = now_ns();
      for (size_t k = start; k < i; k++) {
        if (rs[k].err) continue;
        struct sepol_av_decision avd;
        unsigned int reason;
        sepol_compute_av_reason(rs[k].ssid, rs[k].tsid, rs[k].tclass, rs[k].requested, &avd, &reason);
        sink ^= avd.allowed ^ reason;
        decisions++;
      }
      total_ns += now_ns() - t0;
    }
  } while (total_ns < min_ms * 1e6 && decisions > 0);
  printf("TIME decisions=%llu total_ns=%.0f ns_per_decision=%.1f\n", decisions, total_ns,
         decisions ? total_ns / (double)decisions : 0.0);
  (void)sink;
  for (size_t k = 0; k < n; k++) free_query(&qs[k]);
  free(qs);
  free(rs);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* --load-time: policydb_read of the whole file, `repeat` times; prints median and min in ms. */
static void load_time_mode(const char *path, int repeat) {
  double *ms = malloc((size_t)repeat * sizeof *ms);
  if (!ms) die("out of memory", NULL);
  for (int k = 0; k < repeat; k++) {
    policydb_t p;
    double t0 = now_ns();
    read_policy(path, &p);
    ms[k] = (now_ns() - t0) / 1e6;
    policydb_destroy(&p);
  }
  qsort(ms, (size_t)repeat, sizeof *ms, cmp_double);
  printf("LOAD repeat=%d median_ms=%.2f min_ms=%.2f\n", repeat, ms[repeat / 2], ms[0]);
  free(ms);
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int timing = 0, load_timing = 0, repeat = 5;
  double min_ms = 500;
  const char **bools = calloc((size_t)argc, sizeof *bools);
  int nbools = 0;
  sepol_debug(0);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--bool") && i + 1 < argc) bools[nbools++] = argv[++i];
    else if (!strncmp(a, "--bool=", 7)) bools[nbools++] = a + 7;
    else if (!strcmp(a, "--time")) timing = 1;
    else if (!strcmp(a, "--load-time")) load_timing = 1;
    else if (!strcmp(a, "--min-ms") && i + 1 < argc) min_ms = atof(argv[++i]);
    else if (!strcmp(a, "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
    else if (a[0] == '-' && a[1]) die("unknown option", a);
    else if (!path) path = a;
    else die("more than one policy given", a);
  }
  if (!path) die("usage: harness POLICY [--bool NAME=VALUE]... [--time [--min-ms N]] [--load-time [--repeat N]]", NULL);
  if (repeat < 1) repeat = 1;
  if (load_timing) {
    load_time_mode(path, repeat);
    return 0;
  }
  load_policy(path);
  build_perm_names();
  for (int i = 0; i < nbools; i++) set_bool(bools[i]);
  if (nbools && evaluate_conds(&policy)) die("evaluate_conds failed", NULL);
  if (timing) {
    time_mode(min_ms);
    return 0;
  }
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  char *line = NULL;
  size_t linecap = 0;
  while (getline(&line, &linecap, stdin) >= 0) {
    struct query q;
    if (!parse_line(line, &q)) continue;
    answer(stdout, &q);
    free_query(&q);
  }
  free(line);
  fflush(stdout);
  return 0;
}
