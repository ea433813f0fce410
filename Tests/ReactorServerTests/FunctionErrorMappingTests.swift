import HTTPTypes
import ReactorCore
import ReactorServer
import Testing

/// Function errors (issue 15): a bad module is the uploader's 4xx; a function's own failure is a 502/504 whose body
/// says which limit it hit, and nothing of the server.
@Suite("Function error mapping", .timeLimit(.minutes(1)))
struct FunctionErrorMappingTests {
    @Test func everyFunctionErrorHasItsStatus() {
        let statuses: [(ReactorError.Code, Int)] = [
            (.functionInvalidModule, 422), (.functionFuelExhausted, 502), (.functionMemoryLimit, 502), (.functionTrapped, 502),
            (.functionExited, 502), (.functionResponseTooLarge, 502), (.functionBadResponse, 502), (.functionTimeout, 504),
            (.functionBusy, 429), (.functionCancelled, 503),
        ]
        for (code, status) in statuses {
            #expect(HTTPErrorMapping.status(for: ReactorError(code, "x")).code == status, "\(code)")
        }
        let busy = ReactorError(.functionBusy, "busy", details: ["retryAfterSeconds": "1", "maxConcurrent": "4", "function": "f"])
        #expect(HTTPErrorMapping.retryAfterSeconds(for: busy) == 1)
    }

    @Test func limitErrorsNameTheLimitToTheCaller() {
        let fuel = ReactorError.functionLimit(
            .functionFuelExhausted, limit: "fuel", maximum: "1000", "the function used all of its fuel (1000 units) before it finished",
            details: ["function": "resize", "underlying": "Trap: out of fuel at 0x1234"])
        #expect(HTTPErrorMapping.body(for: fuel) == [
            "error": [
                "code": "FUNCTION_FUEL_EXHAUSTED", "message": "the function used all of its fuel (1000 units) before it finished",
                "details": ["function": "resize", "limit": "fuel", "maximum": "1000"],
            ],
        ])
        let memory = ReactorError.functionLimit(.functionMemoryLimit, limit: "memory", maximum: "65536", "m", details: ["requested": "131072"])
        #expect(HTTPErrorMapping.body(for: memory)["error"]?["details"] == ["limit": "memory", "maximum": "65536", "requested": "131072"])
        let trap = ReactorError(.functionTrapped, "the function trapped: unreachable", details: ["trap": "unreachable"])
        #expect(HTTPErrorMapping.body(for: trap)["error"]?["details"] == ["trap": "unreachable"])
    }
}
