import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one throwaway cluster of the test process, started on first use (see ``PostgresTestServer``).
actor PostgresTestCluster {
    static let instance = PostgresTestCluster()

    private enum State {
        case idle
        case starting([CheckedContinuation<String, any Error>])
        case ready(String)
        case failed(PostgresTestServerError)
    }

    private var state = State.idle
    /// The CA file of the server certificate, once started with TLS (see ``certificateAuthority()``).
    private var caFile: String?

    /// The CA certificate file that signed the cluster's server certificate, starting the cluster if needed; nil when
    /// the certificates could not be made (no `openssl`), and the cluster then runs without TLS.
    func certificateAuthority() async throws -> String? {
        _ = try await url()
        return caFile
    }

    /// The URL of the cluster, starting it on the first call. Concurrent callers wait for the same start; a failed
    /// start fails every later call with the same error.
    func url() async throws -> String {
        switch state {
        case .ready(let url):
            return url
        case .failed(let error):
            throw error
        case .starting:
            return try await withCheckedThrowingContinuation { continuation in
                if case .starting(var waiters) = state {
                    waiters.append(continuation)
                    state = .starting(waiters)
                } else if case .ready(let url) = state {
                    continuation.resume(returning: url)
                } else if case .failed(let error) = state {
                    continuation.resume(throwing: error)
                }
            }
        case .idle:
            state = .starting([])
            let result: Result<String, PostgresTestServerError>
            do {
                let started = try await Self.start()
                caFile = started.caFile
                result = .success(started.url)
            } catch let error as PostgresTestServerError {
                result = .failure(error)
            } catch {
                result = .failure(PostgresTestServerError("\(error)"))
            }
            guard case .starting(let waiters) = state else { return try result.get() }
            switch result {
            case .success(let url): state = .ready(url)
            case .failure(let error): state = .failed(error)
            }
            for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
            return try result.get()
        }
    }

    // MARK: Starting

    /// Creates, starts and guards a cluster; returns its URL and the CA file of its TLS certificate (nil without TLS).
    private static func start() async throws -> (url: String, caFile: String?) {
        let bin = try PostgresBinaries.locate()
        let fm = FileManager.default
        let directory = fm.temporaryDirectory.appendingPathComponent("reactor-pg-\(UUID().uuidString.prefix(8).lowercased())").path
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PostgresTestServerError("cannot create the cluster directory \(directory): \(error)")
        }
        let asUser = try serverUser(owning: directory)
        let data = directory + "/data"
        let log = directory + "/server.log"

        let initdb = try await ChildProcess.run(
            asUser.launcher, asUser.prefix + [bin + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        guard initdb.status == 0 else {
            throw PostgresTestServerError("initdb -D \(data) failed with status \(initdb.status): \(initdb.output.suffix(2_000))")
        }

        let tls = await makeCertificates(in: directory, asUser: asUser)
        var lastFailure = ""
        for attempt in 0..<5 {
            let port = try LoopbackPort.free()
            let status = "\(directory)/started-\(attempt)"
            try startGuarded(bin: bin, directory: directory, data: data, log: log, port: port, status: status, asUser: asUser,
                             tls: tls != nil)
            let code = try await waitForFile(status, timeout: .seconds(90))
            if code == "0" {
                return ("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable", tls)
            }
            let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let output = (try? String(contentsOfFile: status + ".out", encoding: .utf8)) ?? ""
            lastFailure = "pg_ctl start on port \(port) failed with status \(code): \(output.suffix(1_000))\n"
                + "server log (\(log)): \(serverLog.suffix(2_000))"
            // A port taken between probing and binding: try another one.
            guard serverLog.contains("could not bind") || serverLog.contains("already in use") else { break }
        }
        throw PostgresTestServerError(lastFailure)
    }

    /// Starts, in a new session, one `sh` that runs `pg_ctl start` (writing its exit status to `status`) and then
    /// acts as the watchdog: it polls for the test process and, once it is gone, stops the cluster and removes its
    /// directory.
    ///
    /// `pg_ctl` runs in that detached shell rather than as our child because the server it leaves behind inherits
    /// the child's descriptors, and Foundation's `Process` would then never see `pg_ctl` end.
    private static func startGuarded(
        bin: String, directory: String, data: String, log: String, port: Int, status: String, asUser: ServerUser, tls: Bool
    ) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c full_page_writes=off "
            + "-c max_connections=400 -c shared_buffers=64MB"
        if tls { options += " -c ssl=on -c ssl_cert_file=\(directory)/server.pem -c ssl_key_file=\(directory)/server.key" }
        let launch = [asUser.launcher] + asUser.prefix
        let start = (launch + [bin + "/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start"]).map(shellQuoted).joined(separator: " ")
        let stop = (launch + [bin + "/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]).map(shellQuoted).joined(separator: " ")
        let s = shellQuoted(status)
        let script = """
            \(start) >\(shellQuoted(status + ".out")) 2>&1; code=$?; echo $code >\(s).tmp; mv \(s).tmp \(s)
            [ "$code" = 0 ] || exit 0
            while kill -0 \(pid) 2>/dev/null; do sleep 1; done
            \(stop) >/dev/null 2>&1; rm -rf \(shellQuoted(directory))
            """
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            try ChildProcess.launchDetached("/usr/bin/setsid", ["/bin/sh", "-c", script])
        } else {
            try ChildProcess.launchDetached("/bin/sh", ["-c", script])
        }
    }

    /// Makes a test CA and a server certificate it signs for `DNS:localhost` only (so a client that verifies host names
    /// accepts `localhost` and refuses `127.0.0.1`), as the server's user with umask 077 (PostgreSQL refuses a key
    /// others can read). Returns the CA file, or nil (the cluster then runs without TLS) when `openssl` fails.
    private static func makeCertificates(in directory: String, asUser: ServerUser) async -> String? {
        let script = """
            set -e; cd \(shellQuoted(directory)); umask 077
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=reactor-test-ca \\
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -keyout ca.key -out ca.pem
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout server.key -out server.csr
            printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem
            chmod 644 ca.pem
            """
        guard let result = try? await ChildProcess.run(asUser.launcher, asUser.prefix + ["/bin/sh", "-c", script]), result.status == 0 else {
            return nil
        }
        return directory + "/ca.pem"
    }

    /// Waits until `path` exists and returns its trimmed contents.
    private static func waitForFile(_ path: String, timeout: Duration) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PostgresTestServerError("pg_ctl start did not finish within \(timeout) (no \(path))")
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// How to run the server binaries: directly, or as `postgres` through `runuser` when this process is root.
    struct ServerUser {
        var launcher: String
        var prefix: [String]
    }

    /// When root, gives `directory` to the `postgres` user and returns the `runuser` launcher.
    private static func serverUser(owning directory: String) throws -> ServerUser {
        guard geteuid() == 0 else { return ServerUser(launcher: "/usr/bin/env", prefix: []) }
        guard let entry = getpwnam("postgres") else {
            throw PostgresTestServerError("running as root, but there is no 'postgres' user to run the server as (PostgreSQL refuses to run as root)")
        }
        guard chown(directory, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw PostgresTestServerError("cannot give \(directory) to the postgres user: errno \(errno)")
        }
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let runuser else {
            throw PostgresTestServerError("running as root, but runuser (util-linux) is missing, so the server cannot run as 'postgres'")
        }
        return ServerUser(launcher: runuser, prefix: ["-u", "postgres", "--"])
    }
}
