/*
 * Reference matcher for the file_contexts regex translation: compiles each regex exactly as
 * libselinux does (anchored by concatenation "^" REGEX "$", PCRE2_DOTALL, no UTF) with the runtime
 * libpcre2-8.so.0 and says whether it matches the subject's bytes. No headers needed: the
 * declarations below are the public ABI of <pcre2.h> (8-bit library).
 *
 *   file-contexts-pcre < pairs      pairs: REGEX NUL SUBJECT NUL ...
 * One line per pair: "1" match, "0" no match, "E" the regex does not compile.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pcre2_real_code_8 pcre2_code_8;
typedef struct pcre2_real_match_data_8 pcre2_match_data_8;
extern pcre2_code_8 *pcre2_compile_8(const unsigned char *, size_t, uint32_t, int *, size_t *, void *);
extern pcre2_match_data_8 *pcre2_match_data_create_from_pattern_8(const pcre2_code_8 *, void *);
extern int pcre2_match_8(const pcre2_code_8 *, const unsigned char *, size_t, size_t, uint32_t, pcre2_match_data_8 *, void *);
extern void pcre2_match_data_free_8(pcre2_match_data_8 *);
extern void pcre2_code_free_8(pcre2_code_8 *);

#define DOTALL 0x00000020u

int main(void)
{
	char *regex = NULL, *subject = NULL;
	size_t rcap = 0, scap = 0;
	ssize_t rlen, slen;
	while ((rlen = getdelim(&regex, &rcap, '\0', stdin)) > 0 && (slen = getdelim(&subject, &scap, '\0', stdin)) > 0) {
		size_t n = strlen(regex);
		char *anchored = malloc(n + 3);
		anchored[0] = '^';
		memcpy(anchored + 1, regex, n);
		anchored[n + 1] = '$';
		anchored[n + 2] = '\0';
		int err;
		size_t off;
		pcre2_code_8 *code = pcre2_compile_8((const unsigned char *)anchored, n + 2, DOTALL, &err, &off, NULL);
		free(anchored);
		if (!code) {
			puts("E");
			continue;
		}
		pcre2_match_data_8 *md = pcre2_match_data_create_from_pattern_8(code, NULL);
		int rc = pcre2_match_8(code, (const unsigned char *)subject, strlen(subject), 0, 0, md, NULL);
		puts(rc > 0 ? "1" : rc == -1 ? "0" : "X");
		pcre2_match_data_free_8(md);
		pcre2_code_free_8(code);
	}
	free(regex);
	free(subject);
	return 0;
}
