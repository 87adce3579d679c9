/*
 * Checks packaging/floor/glibc_compat.c as the release links it (`make dist-test`: built with
 * `zig cc -target x86_64-linux-gnu.2.26` with glibc_compat.o and run). Prints one line per definition checked and
 * exits 1 at the first that does not do what glibc's does for its callers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char __libc_single_threaded;
/* The executable's PT_GNU_EH_FRAME as the kernel handed its program headers over (AT_PHDR), not via dl_iterate_phdr. */
static void *executable_eh_frame(void) {
    const ElfW(Phdr) *headers = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t count = getauxval(AT_PHNUM);
    uintptr_t bias = 0;
    for (size_t i = 0; i < count; i++)
        if (headers[i].p_type == PT_PHDR) bias = (uintptr_t)headers - headers[i].p_vaddr;
    for (size_t i = 0; i < count; i++)
        if (headers[i].p_type == PT_GNU_EH_FRAME) return (void *)(bias + headers[i].p_vaddr);
    return NULL;
}
uint32_t arc4random(void);
void arc4random_buf(void *buffer, size_t size);
uint32_t arc4random_uniform(uint32_t upper);
int fcntl64(int descriptor, int command, ...);
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

static int failed(const char *what) {
    printf("FAIL %s\n", what);
    return 1;
}

int main(void) {
    if (__libc_single_threaded != 0) return failed("__libc_single_threaded is 0 (not known single-threaded)");
    puts("ok __libc_single_threaded");

    struct dl_find_object found;
    if (_dl_find_object((void *)main, &found) != 0) return failed("_dl_find_object finds the executable holding main");
    if ((char *)found.dlfo_map_start > (char *)main || (char *)found.dlfo_map_end <= (char *)main)
        return failed("_dl_find_object's span holds main");
    if (found.dlfo_eh_frame == NULL || found.dlfo_eh_frame != executable_eh_frame()) return failed("_dl_find_object gives the executable's .eh_frame_hdr");
    if (_dl_find_object((void *)printf, &found) != 0 || found.dlfo_eh_frame == NULL
        || ((char *)found.dlfo_map_start <= (char *)main && (char *)main < (char *)found.dlfo_map_end))
        return failed("_dl_find_object finds libc, another object, with its own unwind table");
    if (_dl_find_object((void *)16, &found) != -1) return failed("_dl_find_object answers -1 where no object is");
    puts("ok _dl_find_object");

    /* 16 draws all equal would mean no randomness (chance 2^-480). */
    uint32_t first = arc4random(), same = 1;
    for (int i = 0; i < 15; i++) same &= arc4random() == first;
    if (same) return failed("arc4random returns varying values");
    unsigned char buffer[4096];
    memset(buffer, 0, sizeof buffer);
    arc4random_buf(buffer, sizeof buffer);
    int zeros = 0;
    for (size_t i = 0; i < sizeof buffer; i++) zeros += buffer[i] == 0;
    if (zeros > 64) return failed("arc4random_buf fills the whole buffer");  /* about 16 zero bytes expected */
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint32_t value = arc4random_uniform(7);
        if (value >= 7) return failed("arc4random_uniform stays below its bound");
        seen[value]++;
    }
    for (int i = 0; i < 7; i++) if (seen[i] < 700) return failed("arc4random_uniform reaches every value evenly");
    if (arc4random_uniform(1) != 0 || arc4random_uniform(0) != 0) return failed("arc4random_uniform(0 or 1) is 0");
    puts("ok arc4random arc4random_buf arc4random_uniform");

    int descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) return failed("open /dev/null");
    if (fcntl64(descriptor, F_GETFD) != FD_CLOEXEC) return failed("fcntl64(F_GETFD) sees FD_CLOEXEC");
    if (fcntl64(descriptor, F_SETFD, 0) != 0 || fcntl64(descriptor, F_GETFD) != 0) return failed("fcntl64(F_SETFD, 0) clears it");
    close(descriptor);
    if (fcntl64(descriptor, F_GETFD) != -1 || errno != EBADF) return failed("fcntl64 on a closed descriptor is EBADF");
    puts("ok fcntl64");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (posix_spawn_file_actions_addchdir_np(&actions, "/") != ENOSYS) return failed("posix_spawn_file_actions_addchdir_np is ENOSYS");
    posix_spawn_file_actions_destroy(&actions);
    puts("ok posix_spawn_file_actions_addchdir_np");
    return 0;
}
