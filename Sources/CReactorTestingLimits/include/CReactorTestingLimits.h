#ifndef C_REACTOR_TESTING_LIMITS_H
#define C_REACTOR_TESTING_LIMITS_H

/// The soft limit on open files of this process after the raise done when the test binary loaded (0 if unknown).
unsigned long long reactor_testing_open_files_limit(void);

#endif
