/*
 * svirt conformance harness for new-object labels: libsepol's sepol_transition_sid,
 * sepol_member_sid, sepol_change_sid and sepol_validate_transition_reason_buffer, in the
 * `svirt compute-* --batch` / `svirt validatetrans --batch` line format
 * (src/security/label-queries.ts). Linked against the static libsepol.a like harness.c, because
 * these calls work on libsepol's private global policydb and sidtab. A thin adapter: it must never
 * decide anything itself.
 *
 * Usage:
 *   transition-harness POLICY [--bool NAME=VALUE]... < queries
 *   transition-harness POLICY [--bool ...] --time [--min-ms N] < queries   time the create calls only
 *
 * Input, one query a line (blanks separate fields, `#` starts a comment):
 *   create|member|relabel SCONTEXT TCONTEXT TCLASS
 *   validatetrans OLDCONTEXT NEWCONTEXT TASKCONTEXT TCLASS
 * Output, tab-separated: the fields after the first, then the result:
 *   the new context | ERR:MALFORMED|BADSCON|BADTCON|BADCLASS|INVALID           (create/member/relabel)
 *   allow | deny | ERR:MALFORMED|BADOLDCON|BADNEWCON|BADTASKCON|BADCLASS      (validatetrans)
 * INVALID: libsepol returned an error for a resolved query (an invalid computed context: -EACCES,
 * libsepol being hard-wired to enforcing; or the glblub failure: -EINVAL).
 *
 * `--time`: resolves every create query first (context and class lookups are not timed), then
 * times sepol_transition_sid over them, repeating until min_ms have been spent; prints
 * `TIME decisions=N total_ns=T ns_per_decision=X`.
 *
 * Exit status: 0 on success, 2 on usage errors or an unreadable policy.
 */
#define HARNESS_NAME "transition-harness"
#include "sepol-common.h"

#define MAX_FIELDS 8

/* ---- SIDs ------------------------------------------------------------------------------------ */

static sepol_security_class_t class_value(const char *name) {
  class_datum_t *c = hashtab_search(policy.p_classes.table, name);
  return c ? (sepol_security_class_t)c->s.value : 0;
}

/* ---- lines ----------------------------------------------------------------------------------- */

/* Splits `line` in place; returns the number of fields (0 for blank / comment lines), at most MAX_FIELDS + 1. */
static int split(char *line, char **fields) {
  char *hash = strchr(line, '#');
  if (hash) *hash = '\0';
  int n = 0;
  char *p = line;
  for (;;) {
    while (*p && is_space(*p)) p++;
    if (!*p) break;
    if (n == MAX_FIELDS + 1) break;
    fields[n++] = p;
    while (*p && !is_space(*p)) p++;
    if (*p) *p++ = '\0';
  }
  return n;
}

/* The answer to one query (fields[0] is the command); returns a static string or one to free. */
static char *answer(char **f, int n, int *must_free) {
  *must_free = 0;
  if (sid_cache_len + 4 > SID_CACHE_LIMIT) reset_sids();
  if (!strcmp(f[0], "validatetrans")) {
    if (n != 5) return "ERR:MALFORMED";
    sepol_security_id_t o = context_sid(f[1]);
    if (!o) return "ERR:BADOLDCON";
    sepol_security_id_t nw = context_sid(f[2]);
    if (!nw) return "ERR:BADNEWCON";
    sepol_security_id_t t = context_sid(f[3]);
    if (!t) return "ERR:BADTASKCON";
    sepol_security_class_t c = class_value(f[4]);
    if (!c) return "ERR:BADCLASS";
    char *reason = NULL;
    int rc = sepol_validate_transition_reason_buffer(o, nw, t, c, &reason, 0);
    free(reason);
    return rc == 0 ? "allow" : "deny";
  }
  int kind = !strcmp(f[0], "create") ? 1 : !strcmp(f[0], "member") ? 2 : !strcmp(f[0], "relabel") ? 3 : 0;
  if (!kind) die("unknown query kind", f[0]);
  if (n != 4) return "ERR:MALFORMED";
  sepol_security_id_t s = context_sid(f[1]);
  if (!s) return "ERR:BADSCON";
  sepol_security_id_t t = context_sid(f[2]);
  if (!t) return "ERR:BADTCON";
  sepol_security_class_t c = class_value(f[3]);
  if (!c) return "ERR:BADCLASS";
  sepol_security_id_t out = 0;
  int rc = kind == 1 ? sepol_transition_sid(s, t, c, &out) : kind == 2 ? sepol_member_sid(s, t, c, &out) : sepol_change_sid(s, t, c, &out);
  if (rc < 0) return "ERR:INVALID";
  char *text = NULL;
  size_t len = 0;
  if (sepol_sid_to_context(out, &text, &len) < 0) die("sepol_sid_to_context failed", NULL);
  *must_free = 1;
  return text;
}

struct timed {
  sepol_security_id_t s, t;
  sepol_security_class_t c;
};

static void time_mode(double min_ms) {
  size_t cap = 1024, n = 0;
  char **lines = malloc(cap * sizeof *lines);
  char *line = NULL;
  size_t linecap = 0;
  while (getline(&line, &linecap, stdin) >= 0) {
    if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
    if (!lines) die("out of memory", NULL);
    lines[n++] = strdup(line);
  }
  free(line);
  struct timed *q = malloc((n ? n : 1) * sizeof *q);
  if (!q) die("out of memory", NULL);
  double total_ns = 0;
  unsigned long long decisions = 0;
  volatile uint32_t sink = 0;
  do {
    size_t i = 0;
    while (i < n) {
      reset_sids();
      size_t m = 0;
      /* resolve a chunk whose contexts fit the SID cache (results take sidtab slots too) */
      while (i < n && sid_cache_len + 4 <= SID_CACHE_LIMIT / 2) {
        char *copy = strdup(lines[i++]);
        char *f[MAX_FIELDS + 1];
        int nf = split(copy, f);
        if (nf == 4 && !strcmp(f[0], "create")) {
          sepol_security_id_t s = context_sid(f[1]), t = context_sid(f[2]);
          sepol_security_class_t c = class_value(f[3]);
          if (s && t && c) q[m++] = (struct timed){s, t, c};
        }
        free(copy);
      }
      double t0 = now_ns();
      for (size_t k = 0; k < m; k++) {
        sepol_security_id_t out = 0;
        sepol_transition_sid(q[k].s, q[k].t, q[k].c, &out);
        sink ^= out;
      }
      total_ns += now_ns() - t0;
      decisions += m;
    }
  } while (total_ns < min_ms * 1e6 && decisions > 0);
  printf("TIME decisions=%llu total_ns=%.0f ns_per_decision=%.1f\n", decisions, total_ns, decisions ? total_ns / (double)decisions : 0.0);
  (void)sink;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int timing = 0;
  double min_ms = 500;
  const char **bools = calloc((size_t)argc, sizeof *bools);
  int nbools = 0;
  sepol_debug(0);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--bool") && i + 1 < argc) bools[nbools++] = argv[++i];
    else if (!strcmp(a, "--time")) timing = 1;
    else if (!strcmp(a, "--min-ms") && i + 1 < argc) min_ms = atof(argv[++i]);
    else if (a[0] == '-' && a[1]) die("unknown option", a);
    else if (!path) path = a;
    else die("more than one policy given", a);
  }
  if (!path) die("usage: transition-harness POLICY [--bool NAME=VALUE]... [--time [--min-ms N]]", NULL);
  load_policy(path);
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
    char *f[MAX_FIELDS + 1];
    int n = split(line, f);
    if (n == 0) continue;
    int must_free;
    char *result = answer(f, n, &must_free);
    for (int i = 1; i < n; i++) fprintf(stdout, "%s\t", f[i]);
    fprintf(stdout, "%s\n", result);
    if (must_free) free(result);
  }
  free(line);
  fflush(stdout);
  return 0;
}
