/*
 * Reference answers from libselinux for the file_contexts conformance test and benchmark.
 * Links against the runtime libselinux.so.1 only (no headers needed): the few declarations below
 * are the public ABI of <selinux/label.h> / <selinux/selinux.h> (selabel_open, selabel_lookup_raw,
 * SELABEL_CTX_FILE = 0, SELABEL_OPT_PATH = 3).
 *
 *   file-contexts-ref FILE_CONTEXTS lookup      < queries    one answer line per query
 *   file-contexts-ref FILE_CONTEXTS bench ROUNDS < queries   ns per lookup (median of ROUNDS passes)
 *
 * A query is "MODE PATH" terminated by a NUL byte (so paths may hold newlines); MODE is the
 * decimal S_IFMT value (0 = any). An answer is the raw context, "ERR:ENOENT" (a <<none>>
 * specification or no match: libselinux reports both as ENOENT) or "ERR:<errno name>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct selabel_handle;
struct selinux_opt {
	int type;
	const char *value;
};
extern struct selabel_handle *selabel_open(unsigned int backend, const struct selinux_opt *opts, unsigned nopts);
extern int selabel_lookup_raw(struct selabel_handle *rec, char **con, const char *key, int type);
extern void selabel_close(struct selabel_handle *rec);
extern void freecon(char *con);

#define CTX_FILE 0
#define OPT_PATH 3

struct query {
	int mode;
	char *path;
};

static struct query *read_queries(size_t *count)
{
	size_t cap = 1024, n = 0;
	struct query *q = malloc(cap * sizeof(*q));
	char *rec = NULL;
	size_t reclen = 0;
	ssize_t got;
	while ((got = getdelim(&rec, &reclen, '\0', stdin)) > 0) {
		char *space = strchr(rec, ' ');
		if (!space) {
			fprintf(stderr, "file-contexts-ref: malformed query\n");
			exit(2);
		}
		*space = '\0';
		if (n == cap) {
			cap *= 2;
			q = realloc(q, cap * sizeof(*q));
		}
		q[n].mode = atoi(rec);
		q[n].path = strdup(space + 1);
		n++;
	}
	free(rec);
	*count = n;
	return q;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE_CONTEXTS lookup|bench [ROUNDS]\n", argv[0]);
		return 2;
	}
	struct selinux_opt opts[1] = { { OPT_PATH, argv[1] } };
	double t0 = now_ns();
	struct selabel_handle *h = selabel_open(CTX_FILE, opts, 1);
	double load_ns = now_ns() - t0;
	if (!h) {
		fprintf(stderr, "file-contexts-ref: selabel_open(%s): %s\n", argv[1], strerror(errno));
		return 2;
	}
	size_t n;
	struct query *q = read_queries(&n);
	if (strcmp(argv[2], "lookup") == 0) {
		for (size_t i = 0; i < n; i++) {
			char *con = NULL;
			if (selabel_lookup_raw(h, &con, q[i].path, q[i].mode) == 0) {
				printf("%s\n", con);
				freecon(con);
			} else if (errno == ENOENT) {
				printf("ERR:ENOENT\n");
			} else {
				printf("ERR:%s\n", strerrorname_np(errno));
			}
		}
	} else if (strcmp(argv[2], "bench") == 0) {
		int rounds = argc > 3 ? atoi(argv[3]) : 5;
		if (rounds < 1) rounds = 1;
		double *per = malloc(sizeof(double) * rounds);
		/* one warm-up pass: libselinux compiles each regex on first use */
		for (size_t i = 0; i < n; i++) {
			char *con = NULL;
			if (selabel_lookup_raw(h, &con, q[i].path, q[i].mode) == 0) freecon(con);
		}
		for (int r = 0; r < rounds; r++) {
			double s = now_ns();
			for (size_t i = 0; i < n; i++) {
				char *con = NULL;
				if (selabel_lookup_raw(h, &con, q[i].path, q[i].mode) == 0) freecon(con);
			}
			per[r] = (now_ns() - s) / (double)(n ? n : 1);
		}
		qsort(per, rounds, sizeof(double), cmp_double);
		printf("{\"nsPerLookup\":%.1f,\"loadMs\":%.3f,\"queries\":%zu}\n", per[rounds / 2], load_ns / 1e6, n);
		free(per);
	} else {
		fprintf(stderr, "file-contexts-ref: unknown command %s\n", argv[2]);
		return 2;
	}
	selabel_close(h);
	return 0;
}
