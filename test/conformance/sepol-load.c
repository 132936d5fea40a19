/*
 * sepol-load: does libsepol accept a binary policy? The "loads or not" oracle of
 * test/conformance/mutation-fuzz.test.ts.
 *
 * Usage: sepol-load < paths        one path a line; one output line per path, in order:
 *   ok        policydb_read (which ends with libsepol's validate_policydb) returned 0
 *   refused   policydb_read returned an error
 *   crash N   the read was killed by signal N (a libsepol bug; reported, never counted as "ok")
 *   unreadable  the file could not be read
 *
 * Each policy is read in a forked child, so a crash or a leak in libsepol's error paths cannot
 * affect the next file. The file is read into memory and handed over as PF_USE_MEMORY, the way
 * the kernel receives a policy. libsepol's messages are silenced.
 *
 * Built by build-harness.sh against the static libsepol.a (Debian libsepol-dev).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sepol/debug.h>
#include <sepol/policydb/policydb.h>

static int read_policy(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 3;
  if (fseek(f, 0, SEEK_END) != 0) return 3;
  long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0) return 3;
  char *data = malloc(size > 0 ? (size_t)size : 1);
  if (!data) return 3;
  if (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size) return 3;
  fclose(f);

  policydb_t p;
  struct policy_file pf;
  if (policydb_init(&p)) return 3;
  policy_file_init(&pf);
  pf.type = PF_USE_MEMORY;
  pf.data = data;
  pf.len = (size_t)size;
  return policydb_read(&p, &pf, 0) == 0 ? 0 : 1;
}

int main(void) {
  sepol_debug(0);
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0]) continue;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) _exit(read_policy(line));
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) {
      perror("waitpid");
      return 2;
    }
    if (WIFSIGNALED(status)) printf("crash %d\n", WTERMSIG(status));
    else if (WEXITSTATUS(status) == 0) printf("ok\n");
    else if (WEXITSTATUS(status) == 1) printf("refused\n");
    else printf("unreadable\n");
  }
  return 0;
}
