/*
 * What svirt's libsepol harnesses (harness.c, transition-harness.c) share: loading a binary policy
 * into libsepol's global policydb and sidtab, setting booleans, and a context-text -> SID cache.
 * Each harness defines HARNESS_NAME (for its error messages) before including this file. Adapters
 * only: nothing here decides anything.
 */
#ifndef SVIRT_SEPOL_COMMON_H
#define SVIRT_SEPOL_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sepol/debug.h>
#include <sepol/policydb/conditional.h>
#include <sepol/policydb/hashtab.h>
#include <sepol/policydb/policydb.h>
#include <sepol/policydb/services.h>
#include <sepol/policydb/sidtab.h>

/*
 * libsepol's sidtab looks contexts up by a linear scan, so a run over 100k distinct contexts would
 * be quadratic. The harnesses reset the sidtab (and the string cache) once it holds this many
 * entries; SIDs are only ever used within one query, so the reset cannot change an answer.
 */
#define SID_CACHE_LIMIT 512

static policydb_t policy;
static sidtab_t sids;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *msg, const char *arg) {
  fprintf(stderr, "%s: %s%s%s\n", HARNESS_NAME, msg, arg ? ": " : "", arg ? arg : "");
  exit(2);
}

static void read_policy(const char *path, policydb_t *p) {
  FILE *fp = fopen(path, "rb");
  if (!fp) die("cannot open policy", path);
  struct policy_file pf;
  policy_file_init(&pf);
  pf.type = PF_USE_STDIO;
  pf.fp = fp;
  if (policydb_init(p)) die("policydb_init failed", NULL);
  if (policydb_read(p, &pf, 0)) die("cannot read binary policy", path);
  fclose(fp);
}

/* the policy at `path` becomes libsepol's global policydb, with an empty global sidtab */
static void load_policy(const char *path) {
  read_policy(path, &policy);
  if (sepol_set_policydb(&policy)) die("sepol_set_policydb failed", NULL);
  if (sepol_sidtab_init(&sids)) die("sepol_sidtab_init failed", NULL);
  if (sepol_set_sidtab(&sids)) die("sepol_set_sidtab failed", NULL);
}

/* `--bool NAME=VALUE` (1/0/true/false/on/off): sets the boolean's state before any query */
static void set_bool(const char *assignment) {
  const char *eq = strchr(assignment, '=');
  if (!eq) die("--bool wants NAME=VALUE", assignment);
  char name[256];
  size_t len = (size_t)(eq - assignment);
  if (len == 0 || len >= sizeof name) die("bad boolean name", assignment);
  memcpy(name, assignment, len);
  name[len] = '\0';
  const char *v = eq + 1;
  int value;
  if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on")) value = 1;
  else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off")) value = 0;
  else die("boolean value must be 1/0/true/false/on/off", assignment);
  cond_bool_datum_t *b = hashtab_search(policy.p_bools.table, name);
  if (!b) die("unknown boolean", name);
  b->state = value;
}

struct sid_entry {
  char *text;
  sepol_security_id_t sid; /* 0 = libsepol rejected the context */
};
static struct sid_entry sid_cache[SID_CACHE_LIMIT];
static size_t sid_cache_len;

static void reset_sids(void) {
  for (size_t i = 0; i < sid_cache_len; i++) free(sid_cache[i].text);
  sid_cache_len = 0;
  sepol_sidtab_destroy(&sids);
  if (sepol_sidtab_init(&sids)) die("sepol_sidtab_init failed", NULL);
}

/* context text -> SID via libsepol (0 when libsepol rejects the context); callers reset_sids() first when full */
static sepol_security_id_t context_sid(const char *text) {
  for (size_t i = 0; i < sid_cache_len; i++)
    if (!strcmp(sid_cache[i].text, text)) return sid_cache[i].sid;
  sepol_security_id_t sid = 0;
  if (sepol_context_to_sid(text, strlen(text), &sid) < 0) sid = 0;
  sid_cache[sid_cache_len].text = strdup(text);
  sid_cache[sid_cache_len].sid = sid;
  sid_cache_len++;
  return sid;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

#endif
