import ReactorCore

/// The conformance suite every ``Vault`` adapter passes (the file vault, the mock, remote vaults).
///
/// It checks the promises of the protocol: reads see writes (also through a second handle), overwrite, delete
/// reporting whether there was a secret, sorted listing with a prefix, `require` failing with `SECRET_NOT_FOUND`,
/// the path rules of `VaultPath` (every malformed path fails with `INVALID_ARGUMENT` and stores nothing), exact
/// round trips of unicode, multi-line and empty values, and concurrent writers losing nothing.
public enum VaultConformance {
    /// Every case, in a stable order.
    public static let cases: [VaultConformanceCase] = [
        VaultConformanceCase("put then get") { make in
            let vault = try await make()
            try await vault.put("db/password", value: "s3cret")
            let value = try await vault.get("db/password")
            try check(value == "s3cret", "get after put returned \(String(describing: value))")
        },
        VaultConformanceCase("get of a missing path is nil") { make in
            let vault = try await make()
            let missing = try await vault.get("no/such/secret")
            try check(missing == nil, "get of a missing path returned \(String(describing: missing))")
            try await vault.put("no/such", value: "parent")
            let child = try await vault.get("no/such/secret")
            try check(child == nil, "get of a path under an existing secret returned \(String(describing: child))")
        },
        VaultConformanceCase("put overwrites") { make in
            let vault = try await make()
            try await vault.put("api/token", value: "one")
            try await vault.put("api/token", value: "two")
            let value = try await vault.get("api/token")
            try check(value == "two", "get after overwrite returned \(String(describing: value))")
            let paths = try await vault.list()
            try check(paths == ["api/token"], "an overwrite changed the paths: \(paths)")
        },
        VaultConformanceCase("delete returns whether there was a secret") { make in
            let vault = try await make()
            try await vault.put("a/b", value: "x")
            try await vault.put("a/c", value: "y")
            let first = try await vault.delete("a/b")
            try check(first, "delete of an existing secret returned false")
            let gone = try await vault.get("a/b")
            try check(gone == nil, "get after delete returned \(String(describing: gone))")
            let second = try await vault.delete("a/b")
            try check(!second, "a second delete returned true")
            let never = try await vault.delete("never/there")
            try check(!never, "delete of a path never written returned true")
            let kept = try await vault.get("a/c")
            try check(kept == "y", "delete removed another secret: a/c is \(String(describing: kept))")
            try await vault.put("a/b", value: "again")
            let again = try await vault.get("a/b")
            try check(again == "again", "put after delete returned \(String(describing: again))")
        },
        VaultConformanceCase("list is sorted and filters by prefix") { make in
            let vault = try await make()
            let empty = try await vault.list()
            try check(empty.isEmpty, "a new vault lists \(empty)")
            for path in ["b/2", "a/1", "b/10", "c", "b/1", "ab", "B/0"] {
                try await vault.put(path, value: "v-\(path)")
            }
            let all = try await vault.list()
            try check(all == ["B/0", "a/1", "ab", "b/1", "b/10", "b/2", "c"], "list() returned \(all)")
            let explicitAll = try await vault.list(prefix: "")
            try check(explicitAll == all, "list(prefix: \"\") returned \(explicitAll)")
            let b = try await vault.list(prefix: "b/")
            try check(b == ["b/1", "b/10", "b/2"], "list(prefix: \"b/\") returned \(b)")
            let a = try await vault.list(prefix: "a")
            try check(a == ["a/1", "ab"], "list(prefix: \"a\") returned \(a)")
            let exact = try await vault.list(prefix: "c")
            try check(exact == ["c"], "list(prefix: \"c\") returned \(exact)")
            let none = try await vault.list(prefix: "zzz")
            try check(none.isEmpty, "list(prefix: \"zzz\") returned \(none)")
        },
        VaultConformanceCase("require throws SECRET_NOT_FOUND") { make in
            let vault = try await make()
            try await checkThrows(.secretNotFound, "require of a missing path") {
                _ = try await vault.require("missing/secret")
            }
            try await vault.put("present", value: "here")
            let value = try await vault.require("present")
            try check(value == "here", "require returned \(value)")
        },
        VaultConformanceCase("invalid paths are rejected") { make in
            let vault = try await make()
            for path in invalidPaths {
                let shown = path.count > 40 ? "\(path.prefix(20))… (\(path.utf8.count) bytes)" : "'\(path)'"
                try await checkThrows(.invalidArgument, "put \(shown)") { try await vault.put(path, value: "x") }
                try await checkThrows(.invalidArgument, "get \(shown)") { _ = try await vault.get(path) }
                try await checkThrows(.invalidArgument, "delete \(shown)") { _ = try await vault.delete(path) }
            }
            let stored = try await vault.list()
            try check(stored.isEmpty, "rejected puts stored \(stored)")
        },
        VaultConformanceCase("valid unusual paths are accepted") { make in
            let vault = try await make()
            let paths = [
                "a", "A-b_c.d", "x/y/z/w", "v1.2/..config", "...", "_", "-", String(repeating: "p", count: VaultPath.maxLength),
            ]
            for path in paths { try await vault.put(path, value: path) }
            for path in paths {
                let value = try await vault.get(path)
                try check(value == path, "path \(path.prefix(40)) read back \(String(describing: value?.prefix(40)))")
            }
            let listed = try await vault.list()
            try check(listed == paths.sorted(), "list returned \(listed)")
        },
        VaultConformanceCase("unicode, multi-line and empty values round-trip") { make in
            let vault = try await make()
            let values: [String: String] = [
                "unicode": "héllo wörld 🌍 日本語 ключ \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
                "multiline": "line one\nline two\r\n\ttabbed\n\n",
                "pem": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n",
                "quotes": #"{"json": "with \"quotes\"", 'single' \ back\\slash}"#,
                "control": "nul \u{0} bell \u{7} esc \u{1B}",
                "empty": "",
                "spaces": "  leading and trailing  ",
                "references": "env:NOT_RESOLVED vault:not/resolved",
            ]
            for (path, value) in values { try await vault.put("values/\(path)", value: value) }
            for (path, value) in values {
                let read = try await vault.get("values/\(path)")
                try check(read == value, "values/\(path) read back \(String(describing: read)), wrote \(value)")
                let viaSecondHandle = try await make().get("values/\(path)")
                try check(viaSecondHandle == value, "values/\(path) through a second handle: \(String(describing: viaSecondHandle))")
            }
        },
        VaultConformanceCase("a second handle sees the first one's writes") { make in
            let first = try await make()
            let second = try await make()
            try await first.put("shared/one", value: "1")
            let seen = try await second.get("shared/one")
            try check(seen == "1", "the second handle read \(String(describing: seen))")
            try await second.put("shared/two", value: "2")
            let both = try await first.list(prefix: "shared/")
            try check(both == ["shared/one", "shared/two"], "the first handle lists \(both)")
            let deleted = try await second.delete("shared/one")
            try check(deleted, "delete through the second handle returned false")
            let gone = try await first.get("shared/one")
            try check(gone == nil, "the first handle still reads a deleted secret: \(String(describing: gone))")
        },
        VaultConformanceCase("concurrent puts of 50 paths all land") { make in
            let handles = [try await make(), try await make()]
            let count = 50
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    let vault = handles[index % handles.count]
                    group.addTask { try await vault.put("concurrent/\(index)", value: "value \(index)") }
                }
                try await group.waitForAll()
            }
            let fresh = try await make()
            let listed = try await fresh.list(prefix: "concurrent/")
            try check(listed.count == count, "\(listed.count) of \(count) concurrent puts landed")
            for index in 0..<count {
                let value = try await fresh.get("concurrent/\(index)")
                try check(value == "value \(index)", "concurrent/\(index) is \(String(describing: value))")
            }
        },
        VaultConformanceCase("concurrent overwrites of one path leave one of the values") { make in
            let handles = [try await make(), try await make()]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let vault = handles[index % handles.count]
                    group.addTask { try await vault.put("race/one", value: "writer \(index)") }
                }
                try await group.waitForAll()
            }
            let value = try await make().get("race/one")
            let possible = Set((0..<20).map { "writer \($0)" })
            try check(value.map(possible.contains) == true, "after racing overwrites race/one is \(String(describing: value))")
        },
    ]

    /// Paths every vault rejects with `INVALID_ARGUMENT`.
    public static let invalidPaths: [String] = [
        "", "/", "/a", "a/", "a//b", "a/../b", "../a", "a/..", "./a", "a/./b", ".", "..",
        "a b", " a", "a\tb", "a\nb", "héllo", "ключ", "日本", "🔑", "a:b", "env:X", "a\\b", "a?b", "a*b", "a%2Fb",
        String(repeating: "a", count: VaultPath.maxLength + 1),
    ]
}
