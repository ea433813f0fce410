import ArgumentParser
import Foundation
import ReactorCore

/// `reactor blob …`: files in the server's blob storage (`/storage/v1`), over HTTP like `reactor sync`.
struct BlobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob",
        abstract: "Store, fetch, list, remove and sign files in a running server's blob storage (/storage/v1).",
        discussion: """
            Objects are named BUCKET/KEY (the first '/' separates the bucket). Buckets are made with `reactor blob mb`.
            Uploads and downloads are streamed, checked against the server's SHA-256, and show progress on
            standard error for files of 8 MiB and more.
            """,
        subcommands: [Put.self, Get.self, List.self, Remove.self, Sign.self, MakeBucket.self]
    )

    /// `BUCKET/KEY` split and validated.
    static func object(_ text: String) throws -> (BucketName, BlobKey) {
        guard let slash = text.firstIndex(of: "/") else {
            throw ReactorError(.invalidArgument, "name the object as BUCKET/KEY, got '\(text)'")
        }
        return (try BucketName(String(text[..<slash])), try BlobKey(String(text[text.index(after: slash)...])))
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a file to BUCKET/KEY (replacing what is there).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The file to upload.") var file: String
        @Argument(help: "Where: BUCKET/KEY.") var object: String
        @Option(name: .customLong("content-type"), help: "The media type (default: guessed from the file's extension).") var contentType: String?
        @Flag(name: .long, help: "No progress display.") var quiet = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let (bucket, key) = try BlobCommand.object(object)
                let transfer = BlobTransfer(client: try api.client(), showProgress: !quiet && !api.json)
                let stored = try await transfer.put(file: file, bucket: bucket, key: key, contentType: contentType)
                if api.json { return Output.json(stored) }
                Output.line("stored \(bucket)/\(key): \(stored["size"]?.intValue ?? 0) bytes, sha256 \(stored["sha256"]?.stringValue ?? "?")")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download BUCKET/KEY into a file (default: the key's last segment; '-' for standard output).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "What: BUCKET/KEY.") var object: String
        @Argument(help: "The file to write ('-': standard output).") var file: String?
        @Flag(name: .long, help: "No progress display.") var quiet = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let (bucket, key) = try BlobCommand.object(object)
                let target = file ?? String(key.segments.last ?? "download")
                let transfer = BlobTransfer(client: try api.client(), showProgress: !quiet && !api.json && target != "-")
                let (size, sha256) = try await transfer.get(bucket: bucket, key: key, to: target)
                if target == "-" { return }
                if api.json {
                    return Output.json(.object(["file": .string(target), "size": .number(Double(size)), "sha256": .string(sha256)]))
                }
                Output.line("wrote \(target): \(size) bytes, sha256 \(sha256)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the buckets, or a bucket's objects (every page).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "A bucket, optionally with a key prefix: BUCKET or BUCKET/PREFIX.") var location: String?

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let client = try api.client()
                guard let location else {
                    let answer = try await client.call(.GET, "/storage/v1/buckets")
                    if api.json { return Output.json(answer) }
                    let buckets = answer["buckets"]?.arrayValue ?? []
                    if buckets.isEmpty { return Output.line("no buckets (make one with `reactor blob mb NAME`)") }
                    for bucket in buckets {
                        Output.line("\(bucket["name"]?.stringValue ?? "?")\t\(bucket["access"]?.stringValue ?? "?")\t\(bucket["createdAt"]?.stringValue ?? "")")
                    }
                    return
                }
                let slash = location.firstIndex(of: "/")
                let bucket = try BucketName(String(location[..<(slash ?? location.endIndex)]))
                let prefix = slash.map { String(location[location.index(after: $0)...]) } ?? ""
                var objects: [JSONValue] = []
                var continuation: String?
                repeat {
                    var query = "limit=1000&prefix=\(BlobCommand.queryEncode(prefix))"
                    if let continuation { query += "&continuation=\(continuation)" }
                    let page = try await client.call(.GET, "/storage/v1/buckets/\(bucket.rawValue)/objects?\(query)")
                    objects += page["objects"]?.arrayValue ?? []
                    continuation = page["nextContinuation"]?.stringValue
                } while continuation != nil
                if api.json { return Output.json(.object(["objects": .array(objects)])) }
                for object in objects {
                    Output.line("\(object["size"]?.intValue ?? 0)\t\(object["lastModified"]?.stringValue ?? "")\t\(object["key"]?.stringValue ?? "?")")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove BUCKET/KEY, or an empty BUCKET.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "BUCKET/KEY, or BUCKET.") var target: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let client = try api.client()
                if target.contains("/") {
                    let (bucket, key) = try BlobCommand.object(target)
                    try await client.call(.DELETE, BlobTransfer.objectPath(bucket, key))
                } else {
                    try await client.call(.DELETE, "/storage/v1/buckets/\(try BucketName(target).rawValue)")
                }
                if api.json { Output.json(.object(["removed": .string(target)])) } else { Output.line("removed \(target)") }
            }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a URL that lets anyone GET (or PUT) BUCKET/KEY without a token until it expires.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "BUCKET/KEY.") var object: String
        @Option(name: .long, help: "GET or PUT.") var method: String = "GET"
        @Option(name: .customLong("expires-in"), help: "Seconds the URL stays valid (1 to 604800).") var expiresIn: Int = 3600

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let (bucket, key) = try BlobCommand.object(object)
                let client = try api.client()
                let answer = try await client.call(.POST, "/storage/v1/buckets/\(bucket.rawValue)/sign",
                                                   body: .object(["key": .string(key.rawValue), "method": .string(method.uppercased()),
                                                                  "expiresIn": .number(Double(expiresIn))]))
                if api.json { return Output.json(answer) }
                let url = answer["url"]?.stringValue ?? ""
                Output.line(url.hasPrefix("/") ? client.baseURL + url : url)
            }
        }
    }

    struct MakeBucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mb", abstract: "Make a bucket (private unless --public).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The bucket's name (3 to 63 lowercase letters, digits, '-' and '.').") var name: String
        @Flag(name: .long, help: "Anyone may read its objects without a token.") var `public` = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.POST, "/storage/v1/buckets",
                                                         body: .object(["name": .string(name), "public": .bool(self.public)]))
                if api.json { return Output.json(answer) }
                Output.line("made bucket \(name) (\(answer["access"]?.stringValue ?? "private"))")
            }
        }
    }

    /// `text` percent-encoded for a query value.
    static func queryEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? text
    }
}
