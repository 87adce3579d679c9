/*
 * The glibc functions newer than glibc 2.26 that shiplint's statically linked libraries call, defined here so that
 * the release executable needs nothing above GLIBC_2.26 (packaging/dist.py links it against glibc 2.26's symbol
 * versions with `zig cc -target x86_64-linux-gnu.2.26`; docs/install.md says why 2.26).
 *
 * Each definition does what glibc's does for the calls these libraries make, using only what glibc 2.26 has. The
 * executable's own definitions win over glibc's at link time, so a newer glibc's copy is never used, on any system.
 * packaging/floor/compat_test.c checks each one (`make dist-test`).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/*
 * glibc 2.32. libstdc++ (GCC 11 and later) reads it to skip atomic operations while a program has one thread.
 * 0 means "may have several threads": libstdc++ then always takes the atomic path, which is correct in any program
 * (shiplint reads artifacts on every core).
 */
char __libc_single_threaded = 0;

/*
 * glibc 2.35. libgcc's unwinder (GCC 12) asks it which loaded object holds an address, and where that object's
 * unwind table (PT_GNU_EH_FRAME) is, to throw a C++ exception through its frames (toml++ reports a rule file's syntax
 * error that way). The unwinder takes a failure as "no frame here" and ends the program, so this answers from
 * dl_iterate_phdr (glibc 2.2.4), as glibc's does from its own list: the object whose PT_LOAD segments hold the
 * address, the span of those segments, and its PT_GNU_EH_FRAME. struct dl_find_object is glibc's own (dlfcn.h, in
 * Zig's headers for every target); dlfo_link_map is left NULL (libgcc does not read it).
 */
struct object_search {
    uintptr_t address;
    struct dl_find_object *result;
};

static int search_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct object_search *search = data;
    uintptr_t start = UINTPTR_MAX, end = 0;
    void *eh_frame = NULL;
    int holds = 0;
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        uintptr_t low = info->dlpi_addr + header->p_vaddr;
        if (header->p_type == PT_LOAD) {
            if (low < start) start = low;
            if (low + header->p_memsz > end) end = low + header->p_memsz;
            if (search->address >= low && search->address < low + header->p_memsz) holds = 1;
        } else if (header->p_type == PT_GNU_EH_FRAME) {
            eh_frame = (void *)low;
        }
    }
    if (!holds) return 0;
    memset(search->result, 0, sizeof *search->result);
    search->result->dlfo_map_start = (void *)start;
    search->result->dlfo_map_end = (void *)end;
    search->result->dlfo_eh_frame = eh_frame;
    return 1;
}

int _dl_find_object(void *address, struct dl_find_object *result) {
    struct object_search search = {(uintptr_t)address, result};
    return dl_iterate_phdr(search_object, &search) ? 0 : -1;
}

/* Fills the buffer from the kernel's random source: getrandom(2) (glibc 2.25), else /dev/urandom; never fails. */
static void random_bytes(void *buffer, size_t size) {
    unsigned char *cursor = buffer;
    while (size > 0) {
        ssize_t got = getrandom(cursor, size, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            int device = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
            if (device < 0) abort();
            while (size > 0) {
                got = read(device, cursor, size);
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0) abort();
                cursor += got;
                size -= (size_t)got;
            }
            close(device);
            return;
        }
        cursor += got;
        size -= (size_t)got;
    }
}

/*
 * glibc 2.36. Debian 12's libstdc++ (std::random_device) and libarchive call them. Like glibc's, they return the
 * kernel's random bytes; they cannot fail.
 */
uint32_t arc4random(void) {
    uint32_t value;
    random_bytes(&value, sizeof value);
    return value;
}

void arc4random_buf(void *buffer, size_t size) {
    random_bytes(buffer, size);
}

/* A value in [0, upper) without modulo bias: values below 2^32 mod upper are drawn again. */
uint32_t arc4random_uniform(uint32_t upper) {
    if (upper < 2) return 0;
    uint32_t floor = -upper % upper;
    for (;;) {
        uint32_t value = arc4random();
        if (value >= floor) return value % upper;
    }
}

/*
 * glibc 2.28. libarchive and libelf compiled against glibc 2.28+ headers call fcntl64. On x86_64 and aarch64 off_t
 * is 64 bits, so it is the same system call as fcntl (glibc defines one as the other there).
 */
int fcntl64(int descriptor, int command, ...) {
    va_list arguments;
    va_start(arguments, command);
    void *argument = va_arg(arguments, void *);
    va_end(arguments);
    return fcntl(descriptor, command, argument);
}

/*
 * glibc 2.29. Foundation's Process (CoreFoundation's _CFPosixSpawnFileActionsChdir) uses it to start a child in
 * another folder. shiplint starts no process; should one ever be started in another folder, ENOSYS makes Process
 * throw rather than run the child in the wrong folder.
 */
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path) {
    (void)actions;
    (void)path;
    return ENOSYS;
}
