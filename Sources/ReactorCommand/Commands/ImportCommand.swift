import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import Synchronization

extension DocCommand {
    /// `reactor doc import FILE`: bulk-creates documents (and applies their actions) from JSON lines, with progress.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bulk-load documents from a JSON-lines file (one document per line), with a progress display.",
            discussion: """
                Each line: {"documentType": "reactor/todo-list", "id"?: "…", "slug"?: "…", "name"?: "…",
                "actions"?: [{"type": "ADD_TODO", "input": {…}, "scope"?: "global", "id"?: "…"}]}
                Every document is one create job and (when it has actions) one more job; jobs run concurrently across
                documents. A line that fails stops nothing else; failures are listed at the end (exit 4).
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The JSON-lines file ('-' for standard input).") var file: String

        struct Line: Decodable {
            struct LineAction: Decodable {
                var id: String?
                var type: String
                var input: JSONValue?
                var scope: String?
            }
            var documentType: String
            var id: String?
            var slug: String?
            var name: String?
            var actions: [LineAction]?
        }

        func run() async throws {
            let data: Data
            do {
                data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure(error: ReactorError(.invalidArgument, "cannot read \(file): \(error.localizedDescription)")).exitCode
            }
            let text = String(decoding: data, as: UTF8.self)
            var lines: [(number: Int, line: Line)] = []
            do {
                for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let trimmed = raw.trimmingCharacters(in: .whitespaces)
                    guard !trimmed.isEmpty else { continue }
                    do {
                        lines.append((index + 1, try JSONValueCoder.decode(Line.self, from: try JSONValueCoder.parse(trimmed))))
                    } catch let error as ReactorError {
                        throw ReactorError(.invalidInput, "line \(index + 1): \(error.message)", details: error.details)
                    }
                }
            } catch let error as ReactorError {
                Output.report(error, json: store.json)
                throw CommandFailure(error: error).exitCode
            }
            let parsed = lines
            let json = store.json
            try await store.run { client in
                let reactor = client.reactor
                let progress = ProgressLine(total: parsed.count, unit: "documents", enabled: !json)
                var jobs: [(line: Int, ids: [String])] = []
                for (number, line) in parsed {
                    let new = NewDocument(id: line.id ?? UUID().uuidString.lowercased(), documentType: line.documentType,
                                          slug: line.slug, name: line.name ?? "")
                    var ids = [try await reactor.create(new).id]
                    if let actions = line.actions, !actions.isEmpty {
                        let built = actions.enumerated().map { i, a in
                            Action(id: a.id ?? "import-\(new.id)-\(i)", type: a.type, scope: a.scope ?? Scope.global, input: a.input ?? .emptyObject)
                        }
                        ids.append(try await reactor.execute(new.id, actions: built).id)
                    }
                    jobs.append((number, ids))
                }
                var failures: [String] = []
                for (index, job) in jobs.enumerated() {
                    for id in job.ids {
                        do { try await reactor.waitForJob(id, timeout: .seconds(300)) } catch let error as ReactorError {
                            failures.append("line \(job.line): \(error.description)")
                            break
                        }
                    }
                    progress.update(index + 1)
                }
                progress.finish()
                if json {
                    Output.json(.object(["imported": .number(Double(jobs.count - failures.count)), "failed": .array(failures.map { .string($0) })]))
                } else {
                    print("imported \(jobs.count - failures.count) of \(jobs.count) documents")
                    for failure in failures { print("  \(failure)") }
                }
                if !failures.isEmpty { throw ReactorError(.invalidInput, "\(failures.count) line(s) failed") }
            }
        }
    }
}

/// A progress display on standard error: an updating line on a terminal, a line per 10 % otherwise (logs stay short).
final class ProgressLine: Sendable {
    let total: Int
    let unit: String
    let enabled: Bool
    let started = ContinuousClock.now
    private let isTerminal = isatty(2) != 0
    private let last = Mutex<(shown: ContinuousClock.Instant, decile: Int)>((.now, 0))

    init(total: Int, unit: String, enabled: Bool) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let now = ContinuousClock.now
        let show: Bool = last.withLock { state in
            let decile = done * 10 / total
            let due = isTerminal ? now - state.shown > .milliseconds(200) : decile > state.decile
            if due { state = (now, decile) }
            return due || done == total
        }
        guard show else { return }
        let seconds = max(Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds), 0.001)
        let rate = Int(Double(done) / seconds)
        let text = "\(done)/\(total) \(unit) (\(done * 100 / total) %, \(rate)/s)"
        FileHandle.standardError.write(Data((isTerminal ? "\r\(text)" : "\(text)\n").utf8))
    }

    func finish() {
        guard enabled, isTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
