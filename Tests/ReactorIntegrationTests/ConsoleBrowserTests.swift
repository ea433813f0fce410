import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// The web console in a real browser (issue 17): `scripts/browser/console_test.py` drives headless Chromium with
/// Playwright against a live `reactor serve` it starts (and restarts) itself — sign in, create a to-do list from the
/// generated form, add items, a second tab updated live, the revision slider, validation errors shown by field, a
/// reload after a server restart, a document of 10,000 operations, the size of the first load — and writes
/// screenshots of the main pages to `.build/console-screenshots` for a person to look at.
///
/// Runs when `REACTOR_BROWSER_PYTHON` names a Python with Playwright (and Chromium is installed: Debian's
/// `chromium`, or `REACTOR_CHROMIUM`); `.ci/run` sets it up and sets `REACTOR_REQUIRE_BROWSER=1`, which makes a missing
/// browser a failure instead of a skip.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ConsoleBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theConsoleInARealBrowser() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["REACTOR_BROWSER_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else {
            if environment["REACTOR_REQUIRE_BROWSER"] == "1" {
                Issue.record("REACTOR_REQUIRE_BROWSER=1 but REACTOR_BROWSER_PYTHON names no Python with Playwright")
            }
            return
        }
        let screenshots = Self.repository.appendingPathComponent(".build/console-screenshots")
        var arguments = [
            Self.repository.appendingPathComponent("scripts/browser/console_test.py").path,
            "--reactor", try reactorBinary().path, "--screenshots", screenshots.path,
        ]
        if let chromium = environment["REACTOR_CHROMIUM"] { arguments += ["--chromium", chromium] }
        let (status, output) = try await TestProcess.run(python, arguments)
        #expect(status == 0, "\(output)")
        // The last line: the measurements (first load in bytes, the 10,000-operation document's time to show).
        let measurements = output.split(separator: "\n").last.flatMap { try? JSONValueCoder.parse(String($0)) }
        #expect(measurements?["ok"] == true, "\(output)")
        if let bytes = measurements?["first_load_bytes"]?.intValue { #expect(bytes <= 200_000) }
    }
}
