import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// `reactor blob …` against a `reactor serve` process (fs backend in its data directory), and signed URLs that
/// survive a restart (their secret is kept in the vault).
@Suite(.timeLimit(.minutes(5))) struct BlobCommandTests {
    @Test func putListGetSignRemoveAndSignedURLsSurviveARestart() async throws {
        let server = try await ServerProcess()
        func blob(_ arguments: [String], base: String? = nil) async throws -> (status: Int32, out: String, err: String) {
            try await runCLI(["blob"] + arguments + ["--server", base ?? server.base, "--data-dir", server.dataDirectory.path])
        }
        let made = try await blob(["mb", "photos"])
        #expect(made.status == 0 && made.out.contains("made bucket photos (private)"), "\(made.err)")

        // 9 MiB: over the progress threshold.
        let source = server.directory.appendingPathComponent("big.bin")
        // A seeded pattern, made 8 bytes at a time: a byte-by-byte random map of 9 MiB holds a thread of the
        // cooperative pool for seconds in a debug build, and every timer of the test process waits behind it.
        let bytes = BlobStoreConformance.pattern(9 << 20, seed: 9)
        try Data(bytes).write(to: source)
        let put = try await blob(["put", source.path, "photos/dir/big.bin"])
        #expect(put.status == 0, "\(put.err)")
        #expect(put.out.contains("stored photos/dir/big.bin: \(bytes.count) bytes, sha256 "), "\(put.out)")
        #expect(put.err.contains("MiB/s"), "no progress display: \(put.err)")

        let buckets = try await blob(["ls"])
        #expect(buckets.out.contains("photos\tprivate"), "\(buckets.out)")
        let objects = try await blob(["ls", "photos/dir/"])
        #expect(objects.out.contains("\(bytes.count)\t") && objects.out.contains("\tdir/big.bin"), "\(objects.out)")
        let listed = try JSONValueCoder.parse(try await blob(["ls", "photos", "--json"]).out)
        #expect(listed["objects"]?.arrayValue?.first?["key"]?.stringValue == "dir/big.bin")

        let copy = server.directory.appendingPathComponent("copy.bin")
        let got = try await blob(["get", "photos/dir/big.bin", copy.path, "--quiet"])
        #expect(got.status == 0, "\(got.err)")
        #expect(try Data(contentsOf: copy) == Data(bytes))
        #expect(!got.err.contains("MiB/s"))

        let signed = try await blob(["sign", "photos/dir/big.bin", "--expires-in", "600"])
        #expect(signed.status == 0, "\(signed.err)")
        let url = signed.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix(server.base + "/storage/v1/signed/photos/dir/big.bin?expires="), "\(url)")
        #expect(try await http(.GET, url).status == 200)

        let notEmpty = try await blob(["rm", "photos"])
        #expect(notEmpty.status != 0 && notEmpty.err.contains("BUCKET_NOT_EMPTY"), "\(notEmpty.err)")
        let badKey = try await blob(["put", source.path, "photos/../escape"])
        #expect(badKey.status != 0 && badKey.err.contains("INVALID_BLOB_KEY"), "\(badKey.err)")

        // The URL-signing secret was generated at first start and kept in the vault: the URL still works after a restart.
        #expect(try await server.terminate() == 0)
        let restarted = try await ServerProcess(directory: server.directory)
        let again = try await http(.GET, url.replacingOccurrences(of: server.base, with: restarted.base))
        #expect(again.status == 200)
        let tampered = try await http(.GET, url.replacingOccurrences(of: server.base, with: restarted.base).replacingOccurrences(of: "big.bin", with: "big.bim"))
        #expect(tampered.status == 403 && tampered.json["error"]?["code"]?.stringValue == "SIGNED_URL_INVALID")

        #expect(try await blob(["rm", "photos/dir/big.bin"], base: restarted.base).status == 0)
        #expect(try await blob(["rm", "photos"], base: restarted.base).status == 0)
        #expect(try await blob(["ls"], base: restarted.base).out.contains("no buckets"))
        _ = try await restarted.terminate()
    }
}
