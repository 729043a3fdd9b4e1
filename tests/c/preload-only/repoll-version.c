/* repoll-version: librepoll.so exports `const char *repoll_version(void)`.
 * A program declares it weak and calls it only when present (the
 * heaptrack_api.h pattern used by include/epoll.h), so the same binary runs
 * with and without the library. Natively the symbol is absent, so this test
 * is run only under the library (tests/c/preload-only/): it must find the
 * symbol and print "repoll <version>". */
#include <stdio.h>
#include <string.h>

extern const char *repoll_version(void) __attribute__((weak));

int main(void)
{
    if (!repoll_version) {
        printf("repoll_version: absent\n");
        return 1;
    }
    const char *v = repoll_version();
    if (!v || !*v) {
        printf("repoll_version: returned %s\n", v ? "an empty string" : "NULL");
        return 1;
    }
    printf("repoll %s\n", v);
    return 0;
}
