import ReactorCore

extension StoreConformance {
    /// The document view: relationships, header search, cursors.
    static let viewCases: [ConformanceCase] = [
        ConformanceCase("relationships: add, remove, query both directions") { try await relationships($0) },
        ConformanceCase("findHeaders: every filter, creation order, paging") { try await findHeaders($0) },
        ConformanceCase("cursors: save, read, overwrite") { try await cursors($0) },
    ]

    static func relationships(_ store: any ReactorStore) async throws {
        func rel(_ s: String, _ t: String, _ type: String = Relationship.child) -> Relationship {
            Relationship(sourceID: s, targetID: t, type: type)
        }
        for id in ["a", "b", "c", "d"] { try await commitOK(store, F.create(id), "create \(id)") }
        var commit = F.append("a", at: 1)
        commit.relationshipsAdded = [rel("a", "c"), rel("a", "b"), rel("a", "b", "link"), rel("a", "b"), rel("a", "z", "link")]
        try await commitOK(store, commit, "add from a")
        commit = F.append("d", at: 1)
        commit.relationshipsAdded = [rel("d", "b"), rel("d", "a", "link")]
        try await commitOK(store, commit, "add from d")

        try check(try await store.relationships(from: "a", type: nil) == [rel("a", "b"), rel("a", "c"), rel("a", "b", "link"), rel("a", "z", "link")], "from a")
        try check(try await store.relationships(from: "a", type: Relationship.child) == [rel("a", "b"), rel("a", "c")], "children of a")
        try check(try await store.relationships(from: "a", type: "link") == [rel("a", "b", "link"), rel("a", "z", "link")], "links of a")
        try check(try await store.relationships(from: "a", type: "none").isEmpty, "unknown type")
        try check(try await store.relationships(to: "b", type: nil) == [rel("a", "b"), rel("d", "b"), rel("a", "b", "link")], "to b")
        try check(try await store.relationships(to: "b", type: Relationship.child) == [rel("a", "b"), rel("d", "b")], "parents of b")
        try check(try await store.relationships(to: "a", type: nil) == [rel("d", "a", "link")], "to a")
        try check(try await store.relationships(from: "b", type: nil).isEmpty, "from b")
        try check(try await store.relationships(to: "nobody", type: nil).isEmpty, "to nobody")

        commit = F.append("a", at: 2)
        commit.relationshipsAdded = [rel("a", "y")]
        commit.relationshipsRemoved = [rel("a", "b"), rel("a", "never"), rel("a", "y")]
        try await commitOK(store, commit, "remove from a")
        try check(try await store.relationships(from: "a", type: nil) == [rel("a", "c"), rel("a", "b", "link"), rel("a", "z", "link")], "from a after removal")
        try check(try await store.relationships(to: "b", type: nil) == [rel("d", "b"), rel("a", "b", "link")], "to b after removal")
        try check(try await store.relationships(to: "y", type: nil).isEmpty, "added then removed in one commit")
    }

    static func findHeaders(_ store: any ReactorStore) async throws {
        // Creation order: p, a, b, c, d (deleted), q, e.
        try await commitOK(store, F.create("p", type: "folder"), "p")
        try await commitOK(store, F.create("a", slug: "slug-a", type: "file"), "a")
        try await commitOK(store, F.create("b", type: "file"), "b")
        try await commitOK(store, F.create("c", slug: "slug-c", type: "folder"), "c")
        var deleted = F.create("d", slug: "slug-d", type: "file")
        deleted.header.deletedAt = F.t0 + 1
        try await commitOK(store, deleted, "d")
        try await commitOK(store, F.create("q", type: "folder"), "q")
        try await commitOK(store, F.create("e", type: "file"), "e")
        var links = F.append("p", at: 1, header: F.header("p", type: "folder"))
        links.relationshipsAdded = [
            Relationship(sourceID: "p", targetID: "a"), Relationship(sourceID: "p", targetID: "b"),
            Relationship(sourceID: "p", targetID: "d"), Relationship(sourceID: "p", targetID: "c", type: "link"),
        ]
        try await commitOK(store, links, "p's children")
        links = F.append("q", at: 1, header: F.header("q", type: "folder"))
        links.relationshipsAdded = [Relationship(sourceID: "q", targetID: "e"), Relationship(sourceID: "q", targetID: "b")]
        try await commitOK(store, links, "q's children")
        // Updating a header keeps its place in creation order.
        try await commitOK(store, F.append("a", at: 1, header: F.header("a", type: "file", slug: "slug-a", name: "renamed")), "rename a")

        let cases: [(DocumentQuery, [String])] = [
            (DocumentQuery(), ["p", "a", "b", "c", "q", "e"]),
            (DocumentQuery(includeDeleted: true), ["p", "a", "b", "c", "d", "q", "e"]),
            (DocumentQuery(documentType: "file"), ["a", "b", "e"]),
            (DocumentQuery(documentType: "file", includeDeleted: true), ["a", "b", "d", "e"]),
            (DocumentQuery(documentType: "none"), []),
            (DocumentQuery(ids: ["e", "a", "zz", "d"]), ["a", "e"]),
            (DocumentQuery(ids: ["e", "a", "zz", "d"], includeDeleted: true), ["a", "d", "e"]),
            (DocumentQuery(ids: []), []),
            (DocumentQuery(slugs: ["slug-c", "slug-a", "nope", "slug-d"]), ["a", "c"]),
            (DocumentQuery(slugs: []), []),
            (DocumentQuery(parentID: "p"), ["a", "b"]),
            (DocumentQuery(parentID: "p", includeDeleted: true), ["a", "b", "d"]),
            (DocumentQuery(parentID: "q"), ["b", "e"]),
            (DocumentQuery(documentType: "folder", parentID: "p"), []),
            (DocumentQuery(parentID: "a"), []),
            (DocumentQuery(parentID: "unknown"), []),
            (DocumentQuery(documentType: "file", parentID: "q", ids: ["e", "b"], slugs: nil), ["b", "e"]),
            (DocumentQuery(documentType: "file", parentID: "p", ids: ["a", "b"], slugs: ["slug-a"]), ["a"]),
        ]
        for (query, expected) in cases {
            let page = try await store.findHeaders(matching: query, page: PageRequest(limit: 100))
            try check(page.items.map(\.id) == expected, "\(query): got \(page.items.map(\.id)), expected \(expected)")
            try check(page.nextCursor == nil, "\(query): a complete page has a next cursor")
            for limit in [1, 2, 3] {
                let paged = try await allPages(limit: limit, "\(query) by \(limit)") { try await store.findHeaders(matching: query, page: $0) }
                try check(paged.map(\.id) == expected, "\(query) paged by \(limit): got \(paged.map(\.id)), expected \(expected)")
            }
        }
        let renamed = try await store.findHeaders(matching: DocumentQuery(ids: ["a"]), page: PageRequest())
        try check(renamed.items.first?.name == "renamed", "findHeaders returns the current header")
        let firstPage = try await store.findHeaders(matching: DocumentQuery(includeDeleted: true), page: PageRequest(limit: 2))
        try check(firstPage.items.map(\.id) == ["p", "a"] && firstPage.nextCursor != nil, "first page of 2")

        // Deleting through a header update hides the document from default searches.
        try await commitOK(store, F.append("b", at: 1, header: F.header("b", type: "file", deletedAt: F.t0 + 2)), "delete b")
        let afterDelete = try await store.findHeaders(matching: DocumentQuery(parentID: "p"), page: PageRequest())
        try check(afterDelete.items.map(\.id) == ["a"], "after deleting b: \(afterDelete.items.map(\.id))")
        try check(try await store.header(id: "b")?.isDeleted == true, "a deleted header is still readable by id")
    }

    static func cursors(_ store: any ReactorStore) async throws {
        try check(try await store.cursor(named: "processor") == nil, "unknown cursor")
        try await store.saveCursor(named: "processor", ordinal: 5)
        try check(try await store.cursor(named: "processor") == 5, "saved cursor")
        try await store.saveCursor(named: "processor", ordinal: 42)
        try check(try await store.cursor(named: "processor") == 42, "overwritten cursor")
        try await store.saveCursor(named: "processor", ordinal: 7)
        try check(try await store.cursor(named: "processor") == 7, "a cursor is overwritten even backwards")
        try await store.saveCursor(named: "other ✓", ordinal: 0)
        try check(try await store.cursor(named: "other ✓") == 0, "second cursor")
        try check(try await store.cursor(named: "processor") == 7, "cursors are independent")
    }
}
