import Foundation
import ReactorConfig
import ReactorCore
import Testing

@Suite("[sync] and [[sync.remotes]] in Reactor.toml", .timeLimit(.minutes(3)))
struct SyncConfigTests {
    @Test func readsEverySyncKeyAndEveryRemote() throws {
        let config = try ConfigLoader.parse("""
            [sync]
            page_size = 50
            max_reshuffle = 10
            creation_wait_seconds = 5
            long_poll_seconds = 2.5
            retry_base_ms = 100
            retry_max_seconds = 4
            request_timeout_seconds = 15
            max_envelope_bytes = 1048576
            max_page_bytes = 262144

            [[sync.remotes]]
            name = "office"
            url = "https://office.example.com"
            token = "vault:sync/office"
            document_types = ["reactor/todo-list"]
            document_ids = ["a", "b"]
            drive_id = "drive-1"
            scopes = ["global"]
            branch = "main"
            since = "2025-01-31T00:00:00Z"
            pull = "manual"
            push = false
            paused = true

            [[sync.remotes]]
            name = "backup"
            url = "http://10.0.0.2:8000"
            since = 1700000000000
            """)
        #expect(config.sync.pageSize == 50)
        #expect(config.sync.maxReshuffle == 10)
        #expect(config.sync.creationWaitSeconds == 5)
        #expect(config.sync.longPollSeconds == 2.5)
        #expect(config.sync.retryBaseMs == 100)
        #expect(config.sync.retryMaxSeconds == 4)
        #expect(config.sync.requestTimeoutSeconds == 15)
        #expect(config.sync.maxEnvelopeBytes == 1_048_576)
        #expect(config.sync.maxPageBytes == 262_144)
        #expect(config.sync.remotes.count == 2)
        let office = config.sync.remotes[0]
        #expect(office == ReactorConfiguration.SyncRemoteEntry(
            name: "office", url: "https://office.example.com", token: "vault:sync/office",
            filter: SyncFilter(documentIDs: ["a", "b"], documentTypes: ["reactor/todo-list"], driveID: "drive-1", scopes: ["global"]),
            since: 1_738_281_600_000, pull: .manual, push: false, paused: true))
        let backup = config.sync.remotes[1]
        #expect(backup == ReactorConfiguration.SyncRemoteEntry(name: "backup", url: "http://10.0.0.2:8000", since: 1_700_000_000_000))
        #expect(backup.paused == nil)
    }

    @Test func defaultsAndEnvironment() throws {
        let defaults = ReactorConfiguration.defaults.sync
        #expect(defaults.pageSize == 500 && defaults.maxReshuffle == 1_000 && defaults.creationWaitSeconds == 30)
        #expect(defaults.longPollSeconds == 25 && defaults.retryBaseMs == 200 && defaults.retryMaxSeconds == 30)
        #expect(defaults.requestTimeoutSeconds == 60 && defaults.maxEnvelopeBytes == 32 << 20 && defaults.remotes.isEmpty)
        let config = try ConfigLoader.parse("[sync]\npage_size = 50\n", environment: ["REACTOR_SYNC__PAGE_SIZE": "70", "REACTOR_SYNC__LONG_POLL_SECONDS": "3"])
        #expect(config.sync.pageSize == 70)
        #expect(config.sync.longPollSeconds == 3)
        #expect(config.source(of: "sync.page_size") == "environment variable REACTOR_SYNC__PAGE_SIZE")
        // Remotes come from the file or the API, never from a variable.
        let error = try configError(nil, environment: ["REACTOR_SYNC__REMOTES": "[]"])
        #expect(error.message.contains("REACTOR_SYNC__REMOTES"))
    }

    @Test func badSyncKeysNameTheKeyAndTheLine() throws {
        let error = try configError("""
            [sync]
            page_size = 0
            long_poll_seconds = 301
            retry_base_ms = 5000
            retry_max_seconds = 1
            max_envelope_bytes = 10
            page_sise = 3
            max_page_bytes = 5
            """)
        #expect(error.message.contains("sync.page_size: must be in 1…10000, got 0 (Reactor.toml:2)"), "\(error.message)")
        #expect(error.message.contains("sync.long_poll_seconds"), "\(error.message)")
        #expect(error.message.contains("(Reactor.toml:3)"), "\(error.message)")
        #expect(error.message.contains("sync.retry_max_seconds: must be at least sync.retry_base_ms (5000 ms), got 1.0 (Reactor.toml:5)"), "\(error.message)")
        #expect(error.message.contains("sync.max_envelope_bytes: must be at least 65536, got 10 (Reactor.toml:6)"), "\(error.message)")
        #expect(error.message.contains("sync.page_sise: unknown key (did you mean sync.page_size?)"), "\(error.message)")
        #expect(error.message.contains("Reactor.toml:7"), "\(error.message)")
        #expect(error.message.contains("sync.max_page_bytes: must be at least 1024, got 5 (Reactor.toml:8)"), "\(error.message)")
    }

    @Test func badRemotesNameTheTableKeyAndLine() throws {
        let error = try configError("""
            [[sync.remotes]]
            name = "a"
            url = "http://a:8000"

            [[sync.remotes]]
            name = "b"
            url = "ftp://b"
            tokne = "x"

            [[sync.remotes]]
            name = "a"
            url = "http://a2"
            pull = "sometimes"
            since = "yesterday"
            push = "yes"

            [[sync.remotes]]
            url = "http://nameless"
            token = "env:1BAD"

            [[sync.remotes]]
            name = "bad name"
            url = "http://c"
            token = "env:1BAD"
            branch = "no branch"
            """)
        let message = error.message
        #expect(message.contains("sync.remotes[1].tokne: unknown key (did you mean token?)"), "\(message)")
        #expect(message.contains("(Reactor.toml:8)"), "\(message)")
        #expect(message.contains("sync.remotes[2].pull: must be one of \"live\", \"manual\", \"off\", got \"sometimes\" (Reactor.toml:13)"), "\(message)")
        #expect(message.contains("sync.remotes[2].since:"), "\(message)")
        #expect(message.contains("(Reactor.toml:14)"), "\(message)")
        #expect(message.contains("sync.remotes[2].push: expected a boolean (true or false), got a string (Reactor.toml:15)"), "\(message)")
        #expect(message.contains("sync.remotes[3].name: is required (Reactor.toml:17)"), "\(message)")
        #expect(message.contains("sync.remotes[4].name:"), "\(message)")
        #expect(message.contains("(Reactor.toml:22)"), "\(message)")

        // The tables that parse are then checked: the url's scheme, a name used twice.
        let checked = try configError("""
            [[sync.remotes]]
            name = "a"
            url = "http://a:8000"

            [[sync.remotes]]
            name = "b"
            url = "ftp://b"

            [[sync.remotes]]
            name = "a"
            url = "http://a2"
            token = "env:1BAD"
            document_types = ["bad type!"]
            """)
        #expect(checked.message.contains("sync.remotes[1].url: a remote's url must start with http:// or https:// (Reactor.toml:7)"), "\(checked.message)")
        #expect(checked.message.contains("sync.remotes[2].name: the name \"a\" is used by sync.remotes[0] too (Reactor.toml:10)"), "\(checked.message)")
        #expect(checked.message.contains("sync.remotes[2].token:"), "\(checked.message)")
        #expect(checked.message.contains("(Reactor.toml:12)"), "\(checked.message)")
        #expect(checked.message.contains("sync.remotes[2].document_types:"), "\(checked.message)")

        let notTables = try configError("[sync]\nremotes = \"office\"\n")
        #expect(notTables.message.contains("sync.remotes: expected an array of tables [[sync.remotes]], got a string (Reactor.toml:2)"), "\(notTables.message)")
    }

    @Test func anEntryUpdatesAnExistingRemoteKeepingItsIdentity() throws {
        let existing = SyncRemote(name: "office", channel: SyncChannelConfig(url: "http://old", token: "old"), paused: true,
                                  channelID: "chan-1", createdAt: 42)
        let entry = ReactorConfiguration.SyncRemoteEntry(name: "office", url: "http://new", token: "env:T",
                                                         filter: SyncFilter(documentTypes: ["reactor/todo-list"]), pull: .off)
        let updated = entry.remote(updating: existing)
        #expect(updated.channel == SyncChannelConfig(url: "http://new", token: "env:T"))
        #expect(updated.filter.documentTypes == ["reactor/todo-list"])
        #expect(updated.options == SyncRemote.Options(pull: .off))
        #expect(updated.channelID == "chan-1" && updated.createdAt == 42)
        #expect(updated.paused, "a pause made elsewhere is kept when the entry does not say")
        var resumed = entry
        resumed.paused = false
        #expect(!resumed.remote(updating: existing).paused)
        #expect(!entry.remote(updating: nil).paused)
    }

    @Test func theStarterFileShowsARemoteAndStillLoadsToTheDefaults() throws {
        let starter = ReactorConfiguration.starterFile
        #expect(starter.contains("[sync]"))
        #expect(starter.contains("# [[sync.remotes]]"))
        #expect(try ConfigLoader.parse(starter) == .defaults)
        // Uncommenting the example gives a remote.
        var inExample = false
        let uncommented = starter.replacingOccurrences(of: "# [[sync.remotes]]", with: "[[sync.remotes]]")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> String in
                // Only the lines of the [[sync.remotes]] example (later sections have examples of their own).
                if line.hasPrefix("[") { inExample = line == "[[sync.remotes]]" }
                for key in ["name", "url", "token", "document_types", "document_ids", "drive_id", "scopes", "branch", "since", "pull", "push", "paused"]
                where inExample && line.hasPrefix("# \(key) = ") { return String(line.dropFirst(2)) }
                return String(line)
            }.joined(separator: "\n")
        let config = try ConfigLoader.parse(uncommented)
        #expect(config.sync.remotes.map(\.name) == ["office"])
    }
}
