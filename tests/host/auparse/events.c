// SPDX-License-Identifier: GPL-2.0
/*
 * events FILE: reads FILE with libauparse (AUSOURCE_FILE, its own event
 * grouping, as audisp plugins and auparse programs get events) and prints
 * one line per event: its serial, the types of its records, and the
 * subject attributes that the normalizer gives with NORM_OPT_ALL that are
 * audit container IDs ("contid=N").
 */
#include <stdio.h>
#include <string.h>
#include <auparse.h>

int main(int argc, char **argv)
{
	auparse_state_t *au;

	if (argc != 2) {
		fprintf(stderr, "usage: events FILE\n");
		return 2;
	}
	au = auparse_init(AUSOURCE_FILE, argv[1]);
	if (au == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (auparse_next_event(au) > 0) {
		printf("%lu:", auparse_get_serial(au));
		do {
			printf(" %s", auparse_get_type_name(au));
		} while (auparse_next_record(au) > 0);
		if (auparse_normalize(au, NORM_OPT_ALL) == 0 &&
		    auparse_normalize_subject_first_attribute(au) == 1) {
			do {
				const char *name = auparse_get_field_name(au);

				if (name && strcmp(name, "contid") == 0)
					printf(" | contid=%s",
					       auparse_get_field_str(au));
			} while (auparse_normalize_subject_next_attribute(au) == 1);
		}
		putchar('\n');
	}
	auparse_destroy(au);
	return 0;
}
