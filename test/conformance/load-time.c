/*
 * load-time.c — time libsepol's policydb_read on a binary policy, as the peer figure for
 * bench/binary-load.bench.ts.
 *
 * Build (static libsepol from libsepol-dev, into a temp dir):
 *   gcc -O2 -o /tmp/x/load-time test/conformance/load-time.c /usr/lib/x86_64-linux-gnu/libsepol.a
 * Run:
 *   load-time POLICY [ITERATIONS]
 * Output (one JSON line on stdout): {"iterations":N,"medianMs":M,"minMs":m}
 *
 * The file is read into memory once; each iteration times policydb_init + policydb_read from memory
 * (PF_USE_MEMORY) with libsepol's messages silenced, then destroys the policydb outside the timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sepol/debug.h>
#include <sepol/handle.h>
#include <sepol/policydb/policydb.h>

static void quiet(void *arg, sepol_handle_t *h, const char *fmt, ...)
{
	(void)arg;
	(void)h;
	(void)fmt;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s POLICY [ITERATIONS]\n", argv[0]);
		return 2;
	}
	int iterations = argc > 2 ? atoi(argv[2]) : 20;
	if (iterations < 1)
		iterations = 1;

	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)size);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);

	sepol_handle_t *handle = sepol_handle_create();
	sepol_msg_set_callback(handle, quiet, NULL);
	double *times = calloc((size_t)iterations, sizeof(double));

	for (int i = 0; i < iterations; i++) {
		policydb_t p;
		struct policy_file pf;
		policy_file_init(&pf);
		pf.type = PF_USE_MEMORY;
		pf.data = data;
		pf.len = (size_t)size;
		pf.handle = handle;
		double t0 = now_ms();
		if (policydb_init(&p) || policydb_read(&p, &pf, 0)) {
			fprintf(stderr, "policydb_read failed on %s\n", argv[1]);
			return 1;
		}
		times[i] = now_ms() - t0;
		policydb_destroy(&p);
	}
	qsort(times, (size_t)iterations, sizeof(double), cmp_double);
	printf("{\"iterations\":%d,\"medianMs\":%.3f,\"minMs\":%.3f}\n", iterations, times[iterations / 2], times[0]);
	sepol_handle_destroy(handle);
	free(times);
	free(data);
	return 0;
}
