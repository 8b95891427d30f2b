/* mdwe_exec PROGRAM ARGS...: runs PROGRAM under the kernel's
 * memory-deny-write-execute rule (prctl PR_SET_MDWE, Linux 6.3+), the same
 * rule systemd's MemoryDenyWriteExecute= enforces with seccomp. Exits 77 when
 * the kernel lacks it, 78 when the rule did not take effect. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
        perror("prctl(PR_SET_MDWE)");
        return 77;
    }
    /* Proof that it holds: writable and executable memory is refused now. */
    void* probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (probe != MAP_FAILED) {
        fprintf(stderr, "mdwe_exec: an RWX mapping was allowed; the rule is not in force\n");
        return 78;
    }
    execv(argv[1], argv + 1);
    perror("execv");
    return 126;
}
