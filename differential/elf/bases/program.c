/* A base for the ELF differential test: a program, linked as a position-independent executable (DF_1_PIE) and as a
 * fixed-address one (ET_EXEC), which a loader refuses to dlopen. */
#include <stdio.h>

int main(void) {
    puts("a program");
    return 0;
}
