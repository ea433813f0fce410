import ReactorCore
import Testing

/// The permission model as a pure function (`DocumentAccessRules`): creators, last matching grant, inheritance
/// through parents, the admin role, anonymous callers.
@Suite(.timeLimit(.minutes(1))) struct DocumentAccessRulesTests {
    let alice = Principal(subject: "alice")
    let bob = Principal(subject: "bob", roles: ["editors"])
    let root = Principal(subject: "root", roles: ["admin"])

    func capability(_ p: Principal, _ id: String, _ entries: [String: DocumentAccessEntry]) async throws -> Capability? {
        try await DocumentAccessRules.capability(of: p, on: id) { entries[$0] }
    }

    @Test func creatorAdministersOthersSeeNothing() async throws {
        let entries = ["d": DocumentAccessEntry(creator: "alice", grants: [], parents: [])]
        #expect(try await capability(alice, "d", entries) == .administer)
        #expect(try await capability(bob, "d", entries) == Capability.none)
        #expect(try await capability(.anonymous, "d", entries) == Capability.none)
        #expect(try await capability(root, "d", entries) == .administer)
        #expect(try await capability(.unrestricted, "d", entries) == .administer)
        #expect(try await capability(bob, "missing", entries) == nil)
    }

    @Test func theLastMatchingGrantWins() async throws {
        let grants = [Grant(.authenticated, .write), Grant(.user("bob"), .read), Grant(.role("editors"), .none)]
        let entries = ["d": DocumentAccessEntry(creator: "alice", grants: grants, parents: [])]
        #expect(try await capability(bob, "d", entries) == Capability.none)  // the role grant comes last
        #expect(try await capability(Principal(subject: "carol"), "d", entries) == .write)
        #expect(try await capability(.anonymous, "d", entries) == Capability.none)
        let reordered = ["d": DocumentAccessEntry(creator: "alice", grants: [grants[0], grants[2], grants[1]], parents: [])]
        #expect(try await capability(bob, "d", reordered) == .read)
        let public_ = ["d": DocumentAccessEntry(creator: "alice", grants: [Grant(.anyone, .read)], parents: [])]
        #expect(try await capability(.anonymous, "d", public_) == .read)
    }

    @Test func childrenInheritTheirParentsUnlessTheirOwnGrantsMatch() async throws {
        let entries = [
            "drive": DocumentAccessEntry(creator: "alice", grants: [Grant(.user("bob"), .write)], parents: []),
            "folder": DocumentAccessEntry(creator: "alice", grants: [], parents: ["drive"]),
            "file": DocumentAccessEntry(creator: "carol", grants: [], parents: ["folder"]),
            "secret": DocumentAccessEntry(creator: "carol", grants: [Grant(.user("bob"), .none)], parents: ["folder"]),
            "other": DocumentAccessEntry(creator: "dave", grants: [Grant(.user("bob"), .read)], parents: []),
            "shared": DocumentAccessEntry(creator: "carol", grants: [], parents: ["folder", "other"]),
        ]
        #expect(try await capability(bob, "file", entries) == .write)
        #expect(try await capability(bob, "secret", entries) == Capability.none)
        // The drive's creator administers everything in it, whatever the grants below say.
        #expect(try await capability(alice, "secret", entries) == .administer)
        #expect(try await capability(Principal(subject: "carol"), "file", entries) == .administer)
        // Two parents: the higher capability.
        #expect(try await capability(bob, "shared", entries) == .write)
        #expect(try await capability(Principal(subject: "dave"), "shared", entries) == .administer)
    }

    @Test func aCycleInheritsNothingAndEnds() async throws {
        let entries = [
            "a": DocumentAccessEntry(creator: "x", grants: [], parents: ["b"]),
            "b": DocumentAccessEntry(creator: "y", grants: [], parents: ["a"]),
        ]
        #expect(try await capability(bob, "a", entries) == Capability.none)
        #expect(try await capability(Principal(subject: "y"), "a", entries) == .administer)
    }

    @Test func grantPrincipalsParseAndPrint() {
        for text in ["user:alice", "role:editors", "authenticated", "anyone", "user:a:b"] {
            #expect(GrantPrincipal(text)?.description == text)
        }
        for bad in ["", "user:", "role:", "everyone", "group:x", "user:\u{0}", "user:" + String(repeating: "a", count: 257)] {
            #expect(GrantPrincipal(bad) == nil, "\(bad)")
        }
        #expect(Capability.none < .read && Capability.read < .write && Capability.write < .administer)
    }
}
