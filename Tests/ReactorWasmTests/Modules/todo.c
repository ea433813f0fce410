// The to-do list model (`reactor/todo-list`, Sources/ReactorModels/TodoList.swift) as a WebAssembly reducer, for the
// reducer ABI of docs/functions.md ("Document models (reducer ABI)"). Same actions, same state shape, same reducer
// errors; registered under another document type (example/wasm-todo). No libc functions beyond memcpy/memcmp: a bump
// allocator, a small JSON parser and a writer. Every action runs in a fresh instance, so nothing is ever freed.
//
// Build (what the tests run):
//   clang --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -L/usr/lib/wasm32-wasi -O2 \
//     -nodefaultlibs -mexec-model=reactor -o todo.wasm todo.c -lc \
//     /usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a

#include <stddef.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

// MARK: Memory

extern unsigned char __heap_base;
static unsigned char *top;

EXPORT("reactor_alloc") void *reactor_alloc(int len) {
    if (!top) top = &__heap_base;
    unsigned char *p = (unsigned char *)(((size_t)top + 7) & ~(size_t)7);
    size_t need = (size_t)p + (size_t)len;
    size_t have = __builtin_wasm_memory_size(0) * 65536;
    if (need > have) {
        size_t pages = (need - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
    }
    top = p + len;
    return p;
}

// MARK: JSON values

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct J {
    int kind;
    int boolean;
    const char *str;  // J_STR: the decoded UTF-8 bytes
    int len;
    struct J *first;  // J_ARR, J_OBJ: the elements or members
    struct J *next;
    const char *key;  // a member's key (decoded)
    int keylen;
} J;

static const unsigned char *at, *end;
static int failed;

static void ws(void) {
    while (at < end && (*at == ' ' || *at == '\n' || *at == '\r' || *at == '\t')) at++;
}

static int hex4(const unsigned char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return 0;
    }
    *out = v;
    return 1;
}

// A string at `at` (its opening quote), decoded into `*out` / `*len`.
static int string(const char **out, int *len) {
    at++;
    const unsigned char *scan = at;
    while (scan < end && *scan != '"') scan += (*scan == '\\') ? 2 : 1;
    if (scan >= end) return 0;
    char *buf = reactor_alloc((int)(scan - at) + 1), *w = buf;
    while (at < end && *at != '"') {
        unsigned char c = *at++;
        if (c != '\\') { *w++ = (char)c; continue; }
        if (at >= end) return 0;
        c = *at++;
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (end - at < 4 || !hex4(at, &cp)) return 0;
            at += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - at >= 6 && at[0] == '\\' && at[1] == 'u' && hex4(at + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                at += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp < 0x80) *w++ = (char)cp;
            else if (cp < 0x800) { *w++ = (char)(0xC0 | cp >> 6); *w++ = (char)(0x80 | (cp & 0x3F)); }
            else if (cp < 0x10000) { *w++ = (char)(0xE0 | cp >> 12); *w++ = (char)(0x80 | (cp >> 6 & 0x3F)); *w++ = (char)(0x80 | (cp & 0x3F)); }
            else { *w++ = (char)(0xF0 | cp >> 18); *w++ = (char)(0x80 | (cp >> 12 & 0x3F)); *w++ = (char)(0x80 | (cp >> 6 & 0x3F)); *w++ = (char)(0x80 | (cp & 0x3F)); }
            break;
        }
        default: return 0;
        }
    }
    if (at >= end) return 0;
    at++;
    *out = buf;
    *len = (int)(w - buf);
    return 1;
}

static int literal(const char *word) {
    size_t n = strlen(word);
    if ((size_t)(end - at) < n || memcmp(at, word, n) != 0) return 0;
    at += n;
    return 1;
}

static J *value(int depth) {
    ws();
    if (at >= end || depth > 64) { failed = 1; return 0; }
    J *v = reactor_alloc(sizeof(J));
    memset(v, 0, sizeof(J));
    unsigned char c = *at;
    if (c == '"') {
        v->kind = J_STR;
        if (!string(&v->str, &v->len)) failed = 1;
    } else if (c == '{' || c == '[') {
        v->kind = c == '{' ? J_OBJ : J_ARR;
        unsigned char close = c == '{' ? '}' : ']';
        at++;
        ws();
        J **tail = &v->first;
        if (at < end && *at == close) { at++; return v; }
        for (;;) {
            const char *key = 0;
            int keylen = 0;
            if (v->kind == J_OBJ) {
                ws();
                if (at >= end || *at != '"' || !string(&key, &keylen)) { failed = 1; return v; }
                ws();
                if (at >= end || *at != ':') { failed = 1; return v; }
                at++;
            }
            J *item = value(depth + 1);
            if (failed) return v;
            item->key = key;
            item->keylen = keylen;
            *tail = item;
            tail = &item->next;
            ws();
            if (at < end && *at == ',') { at++; continue; }
            if (at < end && *at == close) { at++; return v; }
            failed = 1;
            return v;
        }
    } else if (literal("true")) {
        v->kind = J_BOOL;
        v->boolean = 1;
    } else if (literal("false")) {
        v->kind = J_BOOL;
    } else if (literal("null")) {
        v->kind = J_NULL;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        v->kind = J_NUM;
        while (at < end && (*at == '-' || *at == '+' || *at == '.' || *at == 'e' || *at == 'E' || (*at >= '0' && *at <= '9'))) at++;
    } else {
        failed = 1;
    }
    return v;
}

static J *parse(const unsigned char *text, int len) {
    at = text;
    end = text + len;
    failed = 0;
    J *v = value(0);
    ws();
    return failed || at != end ? 0 : v;
}

static int eq(const char *a, int alen, const char *b) {
    return (size_t)alen == strlen(b) && memcmp(a, b, (size_t)alen) == 0;
}

static J *member(J *object, const char *key) {
    if (!object || object->kind != J_OBJ) return 0;
    for (J *m = object->first; m; m = m->next) if (eq(m->key, m->keylen, key)) return m;
    return 0;
}

// MARK: Output

static char *out, *w;

static void put(const char *s) { size_t n = strlen(s); memcpy(w, s, n); w += n; }

// The bytes of a string, escaped for the inside of a JSON string.
static void putEscaped(const char *s, int n) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { *w++ = '\\'; *w++ = (char)c; }
        else if (c < 0x20) { put("\\u00"); *w++ = digits[c >> 4]; *w++ = digits[c & 15]; }
        else *w++ = (char)c;
    }
}

static void putString(const char *s, int n) {
    *w++ = '"';
    putEscaped(s, n);
    *w++ = '"';
}

static long long finish(void) {
    return (long long)(size_t)out << 32 | (long long)(w - out);
}

// {"error": "<prefix><id><suffix>"}
static long long error3(const char *prefix, const char *id, int idlen, const char *suffix) {
    put("{\"error\":\"");
    put(prefix);
    putEscaped(id, idlen);
    put(suffix);
    put("\"}");
    return finish();
}

static long long error(const char *message) { return error3(message, "", 0, ""); }

// {"invalid": "field 'input.<field>' <problem>", "path": "input.<field>", "code": "INVALID_INPUT"}
static long long invalid(const char *field, const char *problem) {
    put("{\"code\":\"INVALID_INPUT\",\"invalid\":\"field 'input");
    if (*field) { put("."); put(field); }
    put("' ");
    put(problem);
    put("\",\"path\":\"input");
    if (*field) { put("."); put(field); }
    put("\"}");
    return finish();
}

// MARK: The model

typedef struct Item {
    const char *id, *text;
    int idlen, textlen, done;
    struct Item *next;
} Item;

typedef struct {
    const char *title;
    int titlelen;
    Item *items;
} State;

static int readState(J *json, State *state) {
    J *title = member(json, "title"), *items = member(json, "items");
    if (!title || title->kind != J_STR || !items || items->kind != J_ARR) return 0;
    state->title = title->str;
    state->titlelen = title->len;
    Item **tail = &state->items;
    for (J *e = items->first; e; e = e->next) {
        J *id = member(e, "id"), *text = member(e, "text"), *done = member(e, "done");
        if (!id || id->kind != J_STR || !text || text->kind != J_STR || !done || done->kind != J_BOOL) return 0;
        Item *item = reactor_alloc(sizeof(Item));
        item->id = id->str;
        item->idlen = id->len;
        item->text = text->str;
        item->textlen = text->len;
        item->done = done->boolean;
        item->next = 0;
        *tail = item;
        tail = &item->next;
    }
    return 1;
}

static long long writeState(State *state) {
    put("{\"state\":{\"items\":[");
    for (Item *i = state->items; i; i = i->next) {
        put(i->done ? "{\"done\":true,\"id\":" : "{\"done\":false,\"id\":");
        putString(i->id, i->idlen);
        put(",\"text\":");
        putString(i->text, i->textlen);
        put(i->next ? "}," : "}");
    }
    put("],\"title\":");
    putString(state->title, state->titlelen);
    put("}}");
    return finish();
}

// A required string field of the input: 0 with *result set to the validation error when it is missing or not a string.
static J *requiredString(J *input, const char *field, long long *result) {
    J *v = member(input, field);
    if (!v) { *result = invalid(field, "is required"); return 0; }
    if (v->kind == J_NULL) { *result = invalid(field, "must be a string, got null"); return 0; }
    if (v->kind != J_STR) { *result = invalid(field, "must be a string"); return 0; }
    return v;
}

static Item **find(State *state, J *id) {
    for (Item **i = &state->items; *i; i = &(*i)->next) {
        if ((*i)->idlen == id->len && memcmp((*i)->id, id->str, (size_t)id->len) == 0) return i;
    }
    return 0;
}

static const char *checkText(J *text) {
    if (text->len == 0) return "to-do text must not be empty";
    if (text->len > 4096) return "to-do text is longer than 4096 bytes";
    return 0;
}

EXPORT("reactor_reduce") long long reactor_reduce(const unsigned char *stateText, int stateLen, const unsigned char *actionText, int actionLen) {
    out = w = reactor_alloc(8 * (stateLen + actionLen) + 1024);
    J *action = parse(actionText, actionLen);
    J *type = member(action, "type"), *scope = member(action, "scope"), *input = member(action, "input");
    if (!type || type->kind != J_STR || !scope || scope->kind != J_STR) return error("the action is not an action");

    static const char *const known[] = {"ADD_TODO", "UPDATE_TODO", "TOGGLE_TODO", "DELETE_TODO", "CLEAR_COMPLETED", "SET_TITLE", 0};
    int k = 0;
    while (known[k] && !eq(type->str, type->len, known[k])) k++;
    if (!known[k] || !eq(scope->str, scope->len, "global")) {
        put("{\"code\":\"UNKNOWN_ACTION\",\"invalid\":\"document type 'example/wasm-todo' has no action '");
        putEscaped(type->str, type->len);
        put("' in scope '");
        putEscaped(scope->str, scope->len);
        put("'");
        put("\",\"path\":\"actions.type\"}");
        return finish();
    }

    // Validation (the input alone), as the Swift model's decoding of its input.
    long long result = 0;
    J *id = 0, *text = 0, *done = 0, *title = 0;
    int needsObject = k != 4;  // CLEAR_COMPLETED takes no input
    if (needsObject && (!input || input->kind != J_OBJ)) {
        if (input && input->kind == J_NULL) return invalid("", "must be an object, got null");
        return invalid("", "must be an object");
    }
    switch (k) {
    case 0:  // ADD_TODO {id, text}
        if (!(id = requiredString(input, "id", &result)) || !(text = requiredString(input, "text", &result))) return result;
        break;
    case 1:  // UPDATE_TODO {id, text?, done?}
        if (!(id = requiredString(input, "id", &result))) return result;
        text = member(input, "text");
        if (text && text->kind == J_NULL) text = 0;
        if (text && text->kind != J_STR) return invalid("text", "must be a string");
        done = member(input, "done");
        if (done && done->kind == J_NULL) done = 0;
        if (done && done->kind != J_BOOL) return invalid("done", "must be a boolean");
        break;
    case 2: case 3:  // TOGGLE_TODO, DELETE_TODO {id}
        if (!(id = requiredString(input, "id", &result))) return result;
        break;
    case 5:  // SET_TITLE {title}
        if (!(title = requiredString(input, "title", &result))) return result;
        break;
    }

    State state = {0};
    J *json = parse(stateText, stateLen);
    if (!json || !readState(json, &state)) return error("stored state of 'example/wasm-todo' does not decode");

    const char *problem;
    Item **found;
    switch (k) {
    case 0: {
        if ((problem = checkText(text))) return error(problem);
        if (id->len == 0) return error("to-do id must not be empty");
        if (find(&state, id)) return error3("a to-do with id '", id->str, id->len, "' exists");
        Item *item = reactor_alloc(sizeof(Item));
        *item = (Item){id->str, text->str, id->len, text->len, 0, 0};
        Item **tail = &state.items;
        while (*tail) tail = &(*tail)->next;
        *tail = item;
        break;
    }
    case 1:
        if (!(found = find(&state, id))) return error3("no to-do with id '", id->str, id->len, "'");
        if (text) {
            if ((problem = checkText(text))) return error(problem);
            (*found)->text = text->str;
            (*found)->textlen = text->len;
        }
        if (done) (*found)->done = done->boolean;
        break;
    case 2:
        if (!(found = find(&state, id))) return error3("no to-do with id '", id->str, id->len, "'");
        (*found)->done = !(*found)->done;
        break;
    case 3:
        if (!(found = find(&state, id))) return error3("no to-do with id '", id->str, id->len, "'");
        *found = (*found)->next;
        break;
    case 4:
        for (Item **i = &state.items; *i;) {
            if ((*i)->done) *i = (*i)->next; else i = &(*i)->next;
        }
        break;
    case 5:
        state.title = title->str;
        state.titlelen = title->len;
        break;
    }
    return writeState(&state);
}
