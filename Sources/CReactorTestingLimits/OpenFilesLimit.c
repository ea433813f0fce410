// Raises the soft limit on open files to the hard limit when a test binary loads, before any test runs.
//
// `swift test` runs the suites in parallel in one process: at its peak it holds over a thousand descriptors (SQLite
// stores with their WAL files, PostgreSQL and HTTP connections, child processes' files), more than the 1024 soft limit
// many shells and CI machines start with. A test that then cannot open a socket fails for no reason of its own, so
// the limit is raised for the whole run here, the way a server raises it at boot.
#include "CReactorTestingLimits.h"
#include <sys/resource.h>

static unsigned long long raised_limit = 0;

__attribute__((constructor)) static void reactor_testing_raise_open_files(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &limit);
        (void)getrlimit(RLIMIT_NOFILE, &limit);
    }
    raised_limit = (unsigned long long)limit.rlim_cur;
}

unsigned long long reactor_testing_open_files_limit(void) {
    return raised_limit;
}
