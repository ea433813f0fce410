import Foundation

/// Finds PostgreSQL's server binaries (`initdb`, `pg_ctl`, `createdb`).
enum PostgresBinaries {
    /// The directory holding `initdb`, `pg_ctl` and `createdb`: from `PATH`, else `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin`.
    ///
    /// - Throws: ``PostgresTestServerError`` listing every place that was searched.
    static func locate() throws -> String {
        let fm = FileManager.default
        func hasServer(_ directory: String) -> Bool {
            fm.isExecutableFile(atPath: directory + "/initdb") && fm.isExecutableFile(atPath: directory + "/pg_ctl")
                && fm.isExecutableFile(atPath: directory + "/createdb")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) where hasServer(directory) {
            return directory
        }
        var searched = ["PATH (\(path))"]
        if let bindir = pgConfigBindir() {
            if hasServer(bindir) { return bindir }
            searched.append("pg_config --bindir (\(bindir))")
        } else {
            searched.append("pg_config (not found or failed)")
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        for version in versions where hasServer("\(root)/\(version)/bin") {
            return "\(root)/\(version)/bin"
        }
        searched.append("\(root)/*/bin")
        throw PostgresTestServerError(
            "no PostgreSQL server binaries (initdb, pg_ctl) found; searched \(searched.joined(separator: ", ")). "
                + "Install PostgreSQL (apt-get install -y postgresql) or set \(PostgresTestServer.environmentVariable) "
                + "to the URL of a running server")
    }

    /// `pg_config --bindir`, run synchronously (it prints one line and exits at once); nil when unavailable.
    private static func pgConfigBindir() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/pg_config" } + ["/usr/bin/pg_config"]
        guard let pgConfig = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: pgConfig)
        process.arguments = ["--bindir"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        // Read to the end of the output, then wait through the termination handler: `waitUntilExit()` spins a run
        // loop and can miss the exit on a thread that is not the main one (see `TestProcess`).
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        exited.wait()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
