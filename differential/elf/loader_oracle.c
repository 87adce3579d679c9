/* The real loader as the oracle (STYLE 11): reads file paths, one a line, from standard input and, for each, forks a
 * child that dlopen()s it with RTLD_NOW, as CPython imports an extension module, then reads one byte of every page
 * the loader mapped from the file (what running the module's code and data would touch). Prints one line per file:
 *   <path>\tloads
 *   <path>\trefused\t<dlerror() text, or what ld.so printed before it exited>
 *   <path>\tcrashed\t<signal name> <where>      (SIGSEGV/SIGBUS/SIGILL …; SIGALRM: a hang)
 *   <path>\tclobbers\t<the mapping>           (--hostile-layout only: dlopen returned, having mapped or mprotected
 *                       memory outside the object's reservation, or mapped the object's file outside it)
 * <where> says whose instructions faulted, read from the faulting instruction's address (and, for a jump to an address
 * that is not code, the return address on the stack) against /proc/self/maps:
 *   in ld.so            the loader itself faulted (mapping, relocating, looking up versions);
 *   in libc             a libc function the loader called;
 *   in the object       the file's own code (a constructor run by dlopen) executed and faulted;
 *   jump from ld.so / jump from the object / jump        a call to an address that is not code (a constructor pointer
 *                       ld.so called, or a call the object's code made through a pointer its relocations filled);
 *   touching pages      after dlopen returned, reading a page of a PT_LOAD (the file does not back it);
 *   loading the next library: …   `--next LIB`: after that, dlopen()ing LIB (as CPython imports the next module).
 * `--global LIB` (repeatable) dlopen()s LIB with RTLD_GLOBAL in the parent first, so every child has its symbols, as
 * the python3 process has libpython's. Each child runs with a 2-second alarm, its standard output sent to /dev/null and
 * its standard error (where ld.so writes "Inconsistency detected by ld.so" before it exits) to the verdict. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static const char *wanted;
static volatile unsigned char sink;
static volatile int touching;
static int verdict_fd = -1;
static int hostile_layout;
static const char *next_library;
/* The PROT_NONE ranges make_layout_hostile() placed: anything ld.so maps or mprotects there is memory it did not
 * reserve for the object. */
static uintptr_t placed_start[512], placed_end[512];
static int placed;

/* `--hostile-layout`: the same dlopen in a process whose memory around the object differs from the usual one, for a
 * variant that loads in the usual process while shiplint calls it corrupt. ld.so reads and writes what the file tells
 * it to; where that is outside what ld.so allocated for the object (its reservation of address space, its version
 * array on the heap), the usual process happens to have something there (the previous library's pages, zeroed heap).
 * Here, everything past the object's reservation is a PROT_NONE guard and the heap ld.so allocates from is dirty
 * (0xA5 in every byte not handed out zeroed), so such an access faults or reads garbage instead of what luck provided.
 * A well-formed object loads the same in both processes: it touches only what ld.so allocated for it. */
/* ---- the hostile layout's heap: while `fenced_heap` is set (around the dlopen), every malloc/calloc/realloc of the
 * process, ld.so's included (rtld binds its allocator to the main program's malloc, elf/dl-minimal.c
 * __rtld_malloc_init_real, so the program must export these: cc -rdynamic), gets its own pages, its end against a
 * PROT_NONE page: a read past the end of what ld.so allocated (l_versions[ndx] past ndx_high, elf/dl-version.c) faults
 * instead of reading the allocator's next chunk header. Freed blocks are never reused (the child exits soon). ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile int fenced_heap;
static unsigned char *fence_arena, *fence_next;
static const size_t fence_arena_size = 64UL << 30;
/* PROT_NONE pages after each allocation: 1 MiB, farther than a 15-bit version index reaches past l_versions (32 KiB
 * records of 32 bytes), so such a read faults instead of landing in the next allocation. */
static const size_t fence_guard_pages = 257;

__attribute__((unused)) static void *fenced(size_t size) {
    size_t body = (size + 15) & ~(size_t)15;
    size_t pages = (body + 16 + 4095) / 4096;
    if (fence_arena == NULL || (size_t)(fence_next - fence_arena) + (pages + fence_guard_pages) * 4096 > fence_arena_size) return NULL;
    unsigned char *region = fence_next;
    if (mprotect(region, pages * 4096, PROT_READ | PROT_WRITE) != 0) return NULL;
    fence_next += (pages + fence_guard_pages) * 4096;  /* the pages after stay PROT_NONE */
    unsigned char *pointer = region + pages * 4096 - body;
    ((size_t *)pointer)[-2] = size;
    return pointer;
}

__attribute__((unused)) static int in_arena(const void *pointer) {
    return fence_arena != NULL && (const unsigned char *)pointer >= fence_arena &&
           (const unsigned char *)pointer < fence_arena + fence_arena_size;
}

/* Only in the hostile build (-DHOSTILE_HEAP -rdynamic): the usual process, like python3, exports no allocator of its
 * own, whose unversioned malloc and free would answer a module's `free@GLIBC_2.14` that CPython's process leaves
 * undefined (check_match, elf/dl-lookup.c, accepts an unversioned definition for a versioned reference). */
#ifdef HOSTILE_HEAP
void *malloc(size_t size) {
    if (fenced_heap) return fenced(size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > (size_t)-1 / size) return NULL;
    if (fenced_heap) return fenced(count * size);  /* fresh pages: zeros */
    void *pointer = __libc_malloc(count * size);
    if (pointer != NULL) memset(pointer, 0, count * size);
    return pointer;
}

void *realloc(void *pointer, size_t size) {
    if (pointer != NULL && in_arena(pointer)) {
        void *moved = fenced_heap ? fenced(size) : __libc_malloc(size);
        size_t old = ((size_t *)pointer)[-2];
        if (moved != NULL) memcpy(moved, pointer, old < size ? old : size);
        return moved;
    }
    if (fenced_heap && pointer == NULL) return fenced(size);
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer == NULL || in_arena(pointer)) return;
    __libc_free(pointer);
}
#endif

/* Fills each gap under 1 GiB between two mappings with PROT_NONE pages, and remembers where. */
static void fill_gaps(void) {
    FILE *listing = fopen("/proc/self/maps", "r");
    uintptr_t previous_end = 0;
    char line[512];
    while (listing != NULL && fgets(line, sizeof line, listing)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx", &start, &end) != 2) continue;
        if (previous_end != 0 && start > previous_end && start - previous_end < (1UL << 30) && placed < 512 &&
            mmap((void *)previous_end, start - previous_end, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED) {
            placed_start[placed] = previous_end;
            placed_end[placed++] = start;
        }
        previous_end = end;
    }
    if (listing != NULL) fclose(listing);
}

static void make_layout_hostile(void) {
    fence_arena = mmap(NULL, fence_arena_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (fence_arena == MAP_FAILED) fence_arena = NULL;
    fence_next = fence_arena;
    /* Keep the heap (ld.so's malloc is libc's once libc is loaded) in one piece, dirty, and never given back. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    size_t dirty = 16 << 20;
    unsigned char *block = malloc(dirty);
    if (block != NULL) {
        memset(block, 0xA5, dirty);
        free(block);
    }
    /* mmap places a new mapping in the highest free gap that fits it (Linux's top-down layout): the object would land
     * in a gap between two libraries, next to whatever they have there. Every such gap (under 1 GiB: not the free
     * space below the libraries, nor above the stack's guard) is filled with PROT_NONE pages first, then a guard is
     * placed below all of them, and the gap the kernel may leave above it (it aligns large mappings) filled too: the
     * object's reservation lands right under the guard, and past its end is PROT_NONE. */
    fill_gaps();
    /* 64 GiB: farther than ld.so reaches from an object through a 32-bit index (a GNU hash bucket, 4 * 2^32). */
    size_t guard_size = 64UL << 30;
    void *guard = mmap(NULL, guard_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (guard != MAP_FAILED && placed < 512) {
        placed_start[placed] = (uintptr_t)guard;
        placed_end[placed++] = (uintptr_t)guard + guard_size;
    }
    fill_gaps();
}

/* After dlopen in the hostile layout: a mapping inside one of the PROT_NONE ranges placed before that is no longer
 * PROT_NONE and anonymous is memory ld.so mapped or mprotected outside what it reserved for the object (a segment placed
 * past the reservation, a PT_GNU_RELRO reaching past it). In the usual process that memory is another library's. */
static int clobbered(char *where, size_t size) {
    FILE *listing = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (listing != NULL && !found && fgets(line, sizeof line, listing)) {
        unsigned long start, end;
        char perms[8] = "";
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3) continue;
        int changed = strcmp(perms, "---p") != 0 || strchr(line, '/') != NULL;
        for (int i = 0; i < placed && changed && !found; i++) {
            if (start < placed_end[i] && end > placed_start[i]) {
                line[strcspn(line, "\n")] = 0;
                snprintf(where, size, "mapped or protected memory outside its reservation: %s", line);
                found = 1;
            }
        }
    }
    if (listing != NULL) fclose(listing);
    return found;
}

/* The address space ld.so reserved for the object loaded from `wanted` (elf/dl-map-segments.h _dl_map_segments: from
 * the first PT_LOAD's page down to the last one's end, in program-header order, at the load address). */
static uintptr_t reserved_start, reserved_end;
/* The end of the zero fill reaching farthest (elf/dl-map-segments.h maps the pages past a segment's file bytes up to
 * its p_memsz with MAP_FIXED, wherever that ends). */
static uintptr_t zero_fill_end;
static int find_reservation(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name == NULL || strcmp(info->dlpi_name, wanted) != 0) return 0;
    const ElfW(Phdr) *first = NULL, *last = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_LOAD) continue;
        if (first == NULL) first = &info->dlpi_phdr[i];
        last = &info->dlpi_phdr[i];
    }
    if (first == NULL) return 1;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    reserved_start = (info->dlpi_addr + first->p_vaddr) & ~(page - 1);
    reserved_end = (info->dlpi_addr + last->p_vaddr + last->p_memsz + page - 1) & ~(page - 1);
    zero_fill_end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *load = &info->dlpi_phdr[i];
        if (load->p_type != PT_LOAD || load->p_memsz <= load->p_filesz) continue;
        uintptr_t zero_page = (info->dlpi_addr + load->p_vaddr + load->p_filesz + page - 1) & ~(page - 1);
        uintptr_t zero_end = (info->dlpi_addr + load->p_vaddr + load->p_memsz + page - 1) & ~(page - 1);
        if (zero_end > zero_page && zero_end > zero_fill_end) zero_fill_end = zero_end;
    }
    return 1;
}

/* A mapping of the object's own file outside that reservation: ld.so placed a segment with MAP_FIXED where the
 * process may have anything (a PT_LOAD whose address lies past the last one's end). It replaced whatever was there;
 * here nothing was, past the guard too (a segment more than 64 GiB away), and that is this process's layout. */
static int mapped_outside(char *where, size_t size) {
    char resolved[4096];
    if (realpath(wanted, resolved) == NULL) return 0;
    reserved_start = reserved_end = 0;
    dl_iterate_phdr(find_reservation, NULL);
    if (reserved_end == 0) return 0;
    /* A zero fill past the reservation's end: ld.so mapped it over whatever lies there. Here that is free space (with
     * a p_align above the page size, the rest of the larger reservation ld.so unmapped again, elf/dl-map-segments.h
     * _dl_map_segment) or the guard; in the usual process, as much free space as the alignment left, then whatever
     * the process has next. */
    if (zero_fill_end > reserved_end) {
        snprintf(where, size, "mapped zero fill outside its reservation (0x%lx-0x%lx): up to 0x%lx",
                 (unsigned long)reserved_start, (unsigned long)reserved_end, (unsigned long)zero_fill_end);
        return 1;
    }
    FILE *listing = fopen("/proc/self/maps", "r");
    char line[4608];
    int found = 0;
    while (listing != NULL && !found && fgets(line, sizeof line, listing)) {
        unsigned long start, end;
        line[strcspn(line, "\n")] = 0;
        const char *name = strchr(line, '/');
        if (sscanf(line, "%lx-%lx", &start, &end) != 2 || name == NULL || strcmp(name, resolved) != 0) continue;
        if (start < reserved_start || end > reserved_end) {
            snprintf(where, size, "mapped its own file outside its reservation (0x%lx-0x%lx): %.400s",
                     (unsigned long)reserved_start, (unsigned long)reserved_end, line);
            found = 1;
        }
    }
    if (listing != NULL) fclose(listing);
    return found;
}

/* Reads one byte of each page of each PT_LOAD of the object loaded from `wanted`: the program headers ld.so mapped
 * it by, the file's own at e_phoff (elf/dl-load.c _dl_map_object_from_fd), not `dlpi_phdr`, which is l_phdr: a
 * PT_PHDR entry sets that anywhere (what dl_iterate_phdr's callers, an unwinder, read later), not what was mapped. */
static int touch_pages(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name == NULL || strcmp(info->dlpi_name, wanted) != 0) return 0;
    ElfW(Ehdr) header;
    static ElfW(Phdr) headers[256];
    int fd = open(wanted, O_RDONLY);
    if (fd < 0) return 1;
    int count = 0;
    if (pread(fd, &header, sizeof header, 0) == (ssize_t)sizeof header && header.e_phentsize == sizeof(ElfW(Phdr))) {
        count = header.e_phnum < 256 ? header.e_phnum : 256;
        ssize_t want = (ssize_t)(count * sizeof(ElfW(Phdr)));
        if (pread(fd, headers, (size_t)want, (off_t)header.e_phoff) != want) count = 0;
    }
    close(fd);
    for (int i = 0; i < count; i++) {
        const ElfW(Phdr) *ph = &headers[i];
        if (ph->p_type != PT_LOAD || ph->p_filesz == 0 || !(ph->p_flags & PF_R)) continue;
        const unsigned char *start = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        for (size_t at = 0; at < ph->p_filesz; at += 4096) sink = start[at];
        sink = start[ph->p_filesz - 1];
    }
    return 1;
}

/* ---- async-signal-safe helpers for the fault handler (no stdio, no malloc, no loader lock) ---- */
static char maps[1 << 16];
static int readable;  /* set by owner(): the mapping may be read */
static uintptr_t file_offset;  /* set by owner(): the file offset of `address` in its mapping */

static void put(const char *text) {
    ssize_t ignored = write(verdict_fd, text, strlen(text));
    (void)ignored;
}

/* "+0x1a2b": where in its file the faulting instruction is (addr2line or gdb name the function). */
static void put_hex(uintptr_t value) {
    char text[20] = "+0x";
    int length = 0;
    char digits[16];
    do { digits[length++] = "0123456789abcdef"[value % 16]; value /= 16; } while (value && length < 16);
    for (int i = 0; i < length; i++) text[3 + i] = digits[length - 1 - i];
    text[3 + length] = 0;
    put(text);
}

static uintptr_t parse_hex(const char **cursor) {
    uintptr_t value = 0;
    for (;;) {
        char c = **cursor;
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) return value;
        value = value * 16 + (uintptr_t)digit;
        (*cursor)++;
    }
}

/* Which mapping holds `address`: 'l' ld.so, 'c' libc, 'o' the object (`wanted`), 'x' another file, 'a' anonymous,
 * 'u' none. `executable` tells whether that mapping may be executed. */
static char owner(uintptr_t address, int *executable) {
    *executable = 0;
    readable = 0;
    const char *line = maps;
    while (*line) {
        const char *cursor = line;
        uintptr_t start = parse_hex(&cursor);
        cursor++;
        uintptr_t end = parse_hex(&cursor);
        char perms[5] = {0};
        cursor++;
        for (int i = 0; i < 4 && *cursor; i++) perms[i] = *cursor++;
        if (*cursor == ' ') cursor++;
        uintptr_t offset = parse_hex(&cursor);
        const char *path = strchr(cursor, '/');
        const char *eol = strchr(cursor, '\n');
        if (eol == NULL) eol = cursor + strlen(cursor);
        if (path != NULL && path > eol) path = NULL;
        if (address >= start && address < end) {
            *executable = perms[2] == 'x';
            readable = perms[0] == 'r';
            file_offset = address - start + offset;
            if (path == NULL) return 'a';
            size_t length = (size_t)(eol - path);
            if (wanted != NULL && length == strlen(wanted) && memcmp(path, wanted, length) == 0) return 'o';
            const char *base = path;
            for (const char *p = path; p < eol; p++) if (*p == '/') base = p + 1;
            if ((size_t)(eol - base) >= 3 && memcmp(base, "ld-", 3) == 0) return 'l';
            if ((size_t)(eol - base) >= 5 && memcmp(base, "libc.", 5) == 0) return 'c';
            return 'x';
        }
        line = *eol ? eol + 1 : eol;
    }
    return 'u';
}

static const char *owner_name(char who) {
    switch (who) {
    case 'l': return "ld.so";
    case 'c': return "libc";
    case 'o': return "the object";
    case 'x': return "another library";
    default: return "";
    }
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    (void)info;
    const ucontext_t *uc = context;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t length = 0;
    if (fd >= 0) {
        ssize_t got;
        while (length < sizeof maps - 1 && (got = read(fd, maps + length, sizeof maps - 1 - length)) > 0) length += (size_t)got;
        close(fd);
    }
    maps[length] = 0;
    put(sigabbrev_np(signal_number) ? sigabbrev_np(signal_number) : "?");
    if (touching == 1) {
        put(" touching pages");
    } else {
        if (touching == 2) put(" loading the next library:");
        int executable;
        char who = owner(pc, &executable);
        if (executable && who != 'u' && who != 'a') {
            put(" in ");
            put(owner_name(who));
            put_hex(file_offset);
        } else {
            /* Not code: a call or jump landed here; the return address a call pushed names the caller. */
            put(" jump");
            int ignored;
            uintptr_t caller = 0;
            if (owner(sp, &ignored) != 'u' && readable && sp % 8 == 0) caller = *(const uintptr_t *)sp;
            char from = caller ? owner(caller, &executable) : 'u';
            if (from != 'u' && from != 'a' && executable) {
                put(" from ");
                put(owner_name(from));
            }
        }
    }
    _exit(128 + signal_number);
}

static void judge(const char *path) {
    int pipefd[2];
    if (pipe(pipefd) != 0) { perror("pipe"); exit(3); }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { perror("fork"); exit(3); }
    if (child == 0) {
        close(pipefd[0]);
        verdict_fd = pipefd[1];
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1);
        dup2(pipefd[1], 2);
        static char alternate[1 << 16];
        stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate};
        sigaltstack(&stack, NULL);
        struct sigaction action = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
        int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
        for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) sigaction(faults[i], &action, NULL);
        wanted = path;
        if (hostile_layout) make_layout_hostile();
        alarm(2);
        fenced_heap = hostile_layout;
        void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        fenced_heap = 0;
        if (handle == NULL) {
            const char *error = dlerror();
            if (error == NULL) error = "(no message)";
            put(error);
            _exit(1);
        }
        touching = 1;
        dl_iterate_phdr(touch_pages, NULL);
        if (hostile_layout) {
            static char where[700];
            if (clobbered(where, sizeof where) || mapped_outside(where, sizeof where)) {
                put(where);
                _exit(4);
            }
        }
        /* The process goes on loading (CPython imports the next extension module): ld.so compares that name with the
         * DT_SONAME of every object loaded, this one too (elf/dl-load.c _dl_map_object). */
        if (next_library != NULL) {
            touching = 2;
            if (dlopen(next_library, RTLD_NOW | RTLD_LOCAL) == NULL) {
                const char *error = dlerror();
                put("after it loaded, the next dlopen failed: ");
                put(error ? error : "(no message)");
                _exit(1);
            }
        }
        _exit(0);
    }
    close(pipefd[1]);
    char message[4096];
    size_t length = 0;
    ssize_t got;
    while ((got = read(pipefd[0], message + length, sizeof message - 1 - length)) > 0) length += (size_t)got;
    message[length] = 0;
    close(pipefd[0]);
    for (char *c = message; *c; c++) if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) printf("%s\tloads\n", path);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) printf("%s\trefused\t%s\n", path, message);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 4) printf("%s\tclobbers\t%s\n", path, message);
    else if (WIFEXITED(status) && WEXITSTATUS(status) > 128) printf("%s\tcrashed\t%s\n", path, message);
    else if (WIFSIGNALED(status)) printf("%s\tcrashed\t%s\n", path, sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    /* ld.so's fatal errors (an assertion, "Inconsistency detected by ld.so") print and exit with 127. */
    else printf("%s\trefused\texit %d: %s\n", path, WEXITSTATUS(status), message);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--global") == 0 && i + 1 < argc) {
            if (dlopen(argv[++i], RTLD_NOW | RTLD_GLOBAL) == NULL) { fprintf(stderr, "loader_oracle: %s\n", dlerror()); return 2; }
        } else if (strcmp(argv[i], "--hostile-layout") == 0) {
            hostile_layout = 1;
        } else if (strcmp(argv[i], "--next") == 0 && i + 1 < argc) {
            next_library = argv[++i];
        } else {
            fprintf(stderr, "usage: loader_oracle [--global LIB]... [--next LIB] [--hostile-layout] < paths\n");
            return 64;
        }
    }
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        if (*line) judge(line);
    }
    return 0;
}
