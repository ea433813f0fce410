// A function in C (built with clang --target=wasm32-wasi against wasi-libc): reads the request JSON from stdin, logs
// a line to stderr, and answers 201 with the request as its JSON body.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    static char request[1 << 16];
    size_t length = fread(request, 1, sizeof request - 1, stdin);
    request[length] = '\0';
    const char *greeting = getenv("GREETING");
    fprintf(stderr, "hello from C, GREETING=%s\n", greeting ? greeting : "(unset)");
    printf("{\"status\": 201, \"headers\": {\"x-language\": \"c\"}, \"json\": %s}", request);
    return 0;
}
