/* A base for the ELF differential test, built with the machine's gcc against its real glibc so that it really
 * loads: an extension-module-like shared object that needs several glibc versions and defines versions of its own
 * (version script module.map). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char scratch[64];

int base_api_v1(int x) { return x + 1; }
int base_api_v2(int x) { return x + 2; }

void *PyInit_module(void) {
    struct timespec now;
    char *copy = malloc(sizeof scratch);
    memcpy(copy, scratch, sizeof scratch);
    clock_gettime(CLOCK_MONOTONIC, &now);
    free(copy);
    return scratch;
}
