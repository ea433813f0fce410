import Foundation
import ReactorCore
import Testing

/// The JSON a function reads and writes (`docs/functions.md`).
@Suite("Function wire format", .timeLimit(.minutes(1)))
struct FunctionWireTests {
    @Test func theRequestIsCanonicalJSONWithLowerCasedJoinedHeaders() throws {
        let request = FunctionRequest(
            method: "POST", path: "/a", query: "q=1",
            headers: [FunctionHeader("Accept", "text/plain"), FunctionHeader("X-A", "1"), FunctionHeader("x-a", "2")], body: Array("hi".utf8))
        let text = String(decoding: FunctionWire.encodeRequest(request), as: UTF8.self)
        #expect(text == #"{"body":"hi","headers":{"accept":"text/plain","x-a":"1, 2"},"method":"POST","path":"/a","query":"q=1"}"#)
        let binary = FunctionRequest(body: [0xC3, 0x28])
        let value = try JSONValueCoder.parse(FunctionWire.encodeRequest(binary))
        #expect(value["bodyBase64"] == "wyg=" && value["body"] == nil)
        #expect(try JSONValueCoder.parse(FunctionWire.encodeRequest(FunctionRequest()))["body"] == "")
    }

    @Test func responsesDecodeEveryBodyForm() throws {
        let text = try FunctionWire.decodeResponse(Array(#" {"status": 201, "headers": {"X-Id": "7", "set-cookie": ["a=1", "b=2"]}, "body": "café"} "#.utf8))
        #expect(text.status == 201 && text.bodyText == "café")
        #expect(text.headers == [FunctionHeader("X-Id", "7"), FunctionHeader("set-cookie", "a=1"), FunctionHeader("set-cookie", "b=2")])
        let binary = try FunctionWire.decodeResponse(Array(#"{"status": 200, "bodyBase64": "/wA="}"#.utf8))
        #expect(binary.body == [0xFF, 0x00])
        let json = try FunctionWire.decodeResponse(Array(#"{"status": 200, "json": {"b": [1, 2], "a": null}}"#.utf8))
        #expect(json.bodyText == #"{"a":null,"b":[1,2]}"# && json.header("Content-Type") == "application/json")
        let typed = try FunctionWire.decodeResponse(Array(#"{"status": 200, "headers": {"content-type": "application/x"}, "json": 1}"#.utf8))
        #expect(typed.headers == [FunctionHeader("content-type", "application/x")])
        let empty = try FunctionWire.decodeResponse(Array(#"{"status": 204}"#.utf8))
        #expect(empty.body.isEmpty && empty.headers.isEmpty)
        let response = FunctionResponse(status: 418, headers: [FunctionHeader("a", "1"), FunctionHeader("a", "2")], body: [0xFF])
        #expect(try FunctionWire.decodeResponse(FunctionWire.encodeResponse(response)) == response)
    }

    @Test func badResponsesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("", "no response"),
            ("   \n", "no response"),
            ("not json", "not a JSON response"),
            ("[1]", "JSON object"),
            (#"{"headers": {}}"#, "no 'status'"),
            (#"{"status": "200"}"#, "integer"),
            (#"{"status": 99}"#, "integer"),
            (#"{"status": 600}"#, "integer"),
            (#"{"status": 200.5}"#, "integer"),
            (#"{"status": 200, "stauts": 1}"#, "unknown field 'stauts'"),
            (#"{"status": 200, "body": "a", "json": 1}"#, "both"),
            (#"{"status": 200, "body": 1}"#, "'body' must be a string"),
            (#"{"status": 200, "bodyBase64": "***"}"#, "base64"),
            (#"{"status": 200, "headers": []}"#, "'headers' must be an object"),
            (#"{"status": 200, "headers": {"a b": "1"}}"#, "not a valid header name"),
            (#"{"status": 200, "headers": {"x": 1}}"#, "string or an array"),
            (#"{"status": 200, "headers": {"x": "a\r\nSet-Cookie: evil=1"}}"#, "control character"),
        ]
        for (output, expected) in cases {
            do {
                let response = try FunctionWire.decodeResponse(Array(output.utf8))
                Issue.record("'\(output)' decoded to \(response)")
            } catch {
                #expect(error.code == .functionBadResponse)
                #expect(error.message.contains(expected), "'\(output)': \(error.message)")
            }
        }
    }

    @Test func stderrSplitsIntoLines() {
        #expect(FunctionWire.logLines([]) == [])
        #expect(FunctionWire.logLines(Array("a\nb\r\n\nc".utf8)) == ["a", "b", "", "c"])
        #expect(FunctionWire.logLines(Array("only\n".utf8)) == ["only"])
    }

    @Test func compiledFunctionsAreNamedByTheirContent() {
        let a = CompiledFunction(runtime: "x", binary: Array("abc".utf8), artifact: 1)
        #expect(a.digest == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(a == CompiledFunction(runtime: "x", binary: Array("abc".utf8), artifact: 2))
        #expect(a != CompiledFunction(runtime: "y", binary: Array("abc".utf8), artifact: 1))
        #expect(FunctionLimits(timeout: .milliseconds(1500)).timeoutMilliseconds == 1500)
    }
}
