import Foundation
import ReactorCore
import ReactorFunctions
import ReactorMemory
import ReactorTesting
import Testing

/// The function service over the mock runtime and in-memory stores: versions, promotion, rollback, deletion,
/// environment, logs, concurrency, and a second node on the same stores.
@Suite("FunctionService", .timeLimit(.minutes(2)))
struct FunctionServiceTests {
    struct Fixture {
        let runtime = MockFunctionRuntime()
        let store = InMemoryFunctionStore()
        let blobs = InMemoryBlobStore()

        func service(refresh: Duration = .seconds(60), maxConcurrent: Int = 32, maxWait: Duration = .milliseconds(500),
                     secrets: [String: String] = [:]) -> FunctionService {
            FunctionService(
                store: store, blobs: blobs, runtimes: [runtime],
                configuration: FunctionsConfiguration(defaultMaxConcurrent: maxConcurrent, maxWait: maxWait, refreshInterval: refresh),
                resolveSecret: { value, key in
                    guard value.hasPrefix("vault:") else { return value }
                    guard let secret = secrets[String(value.dropFirst(6))] else {
                        throw ReactorError(.secretNotFound, "no secret at \(value) (\(key))")
                    }
                    return secret
                })
        }

        /// Registers a mock module answering `text` and returns its source.
        func module(_ name: String, answering text: String) -> FunctionSource {
            runtime.register(name) { _ in Array("{\"status\":200,\"body\":\"\(text)\"}".utf8) }
            return .text("mock:\(name)")
        }
    }

    static func body(_ outcome: (invocation: FunctionInvocation, version: FunctionVersion)) throws -> String {
        try outcome.invocation.response().bodyText
    }

    @Test func deployMakesALiveVersionAndTheSameContentIsTheSameVersion() async throws {
        let f = Fixture()
        let service = f.service()
        let first = try await service.deploy(FunctionDeployment(name: "hello", source: f.module("one", answering: "one")))
        #expect(first.created)
        #expect(first.record.live == first.version.id)
        #expect(first.version.id.hasPrefix("v") && first.version.id.count == 17)
        #expect(try Self.body(try await service.invoke("hello", request: FunctionRequest())) == "one")
        let again = try await service.deploy(FunctionDeployment(name: "hello", source: f.module("one", answering: "one")))
        #expect(!again.created)
        #expect(again.version.id == first.version.id)
        #expect(try await service.versions("hello").count == 1)
        // Other settings are another version of the same module.
        let other = try await service.deploy(FunctionDeployment(
            name: "hello", source: f.module("one", answering: "one"), settings: FunctionSettings(environment: ["A": "b"])))
        #expect(other.created && other.version.id != first.version.id)
        #expect(other.version.moduleDigest == first.version.moduleDigest)
    }

    @Test func promoteAndRollbackMoveTheLiveVersion() async throws {
        let f = Fixture()
        let service = f.service()
        let v1 = try await service.deploy(FunctionDeployment(name: "hello", source: f.module("one", answering: "one"))).version
        let v2 = try await service.deploy(FunctionDeployment(name: "hello", source: f.module("two", answering: "two"))).version
        #expect(try Self.body(try await service.invoke("hello", request: FunctionRequest())) == "two")
        let rolledBack = try await service.rollback("hello")
        #expect(rolledBack.live == v1.id && rolledBack.history.isEmpty)
        #expect(try Self.body(try await service.invoke("hello", request: FunctionRequest())) == "one")
        await #expect(throws: ReactorError.self) { try await service.rollback("hello") }
        let promoted = try await service.promote("hello", version: v2.id)
        #expect(promoted.live == v2.id && promoted.history == [v1.id])
        #expect(try Self.body(try await service.invoke("hello", request: FunctionRequest())) == "two")
        // A staged version does not go live, but can be invoked by id.
        let v3 = try await service.deploy(FunctionDeployment(name: "hello", source: f.module("three", answering: "three"), promote: false))
        #expect(v3.record.live == v2.id)
        #expect(try Self.body(try await service.invoke("hello", request: FunctionRequest())) == "two")
        #expect(try Self.body(try await service.invoke("hello", version: v3.version.id, request: FunctionRequest())) == "three")
        do {
            _ = try await service.promote("hello", version: "v0000000000000000")
            Issue.record("an unknown version was promoted")
        } catch let error as ReactorError {
            #expect(error.code == .functionVersionNotFound)
        }
        do {
            _ = try await service.promote("nobody", version: v1.id)
            Issue.record("an unknown function was promoted")
        } catch let error as ReactorError {
            #expect(error.code == .functionNotFound)
        }
    }

    @Test func aFunctionWithoutALiveVersionIsNotLive() async throws {
        let f = Fixture()
        let service = f.service()
        _ = try await service.deploy(FunctionDeployment(name: "staged", source: f.module("one", answering: "one"), promote: false))
        do {
            _ = try await service.invoke("staged", request: FunctionRequest())
            Issue.record("a function without a live version answered")
        } catch let error as ReactorError {
            #expect(error.code == .functionNotLive)
        }
        do {
            _ = try await service.invoke("nobody", request: FunctionRequest())
            Issue.record("an unknown function answered")
        } catch let error as ReactorError {
            #expect(error.code == .functionNotFound)
        }
    }

    @Test func badDeploysStoreNothing() async throws {
        let f = Fixture()
        let service = f.service()
        let cases: [(FunctionDeployment, ReactorError.Code)] = [
            (FunctionDeployment(name: "Bad Name", source: f.module("one", answering: "one")), .invalidArgument),
            (FunctionDeployment(name: "-dash", source: f.module("one", answering: "one")), .invalidArgument),
            (FunctionDeployment(name: "broken", source: .text("not a mock module")), .functionInvalidModule),
            (FunctionDeployment(name: "elsewhere", source: f.module("one", answering: "one"), runtime: "wasm"), .functionRuntimeUnavailable),
            (FunctionDeployment(name: "secret", source: f.module("one", answering: "one"),
                                settings: FunctionSettings(environment: ["KEY": "vault:missing"])), .invalidArgument),
            (FunctionDeployment(name: "limits", source: f.module("one", answering: "one"),
                                settings: FunctionSettings(limits: FunctionLimitSettings(timeoutMilliseconds: 0))), .invalidArgument),
        ]
        for (deployment, code) in cases {
            do {
                _ = try await service.deploy(deployment)
                Issue.record("\(deployment.name) deployed")
            } catch let error as ReactorError {
                #expect(error.code == code, "\(deployment.name): \(error)")
            }
        }
        #expect(try await f.store.functions().isEmpty)
    }

    @Test func environmentSecretsAreResolvedAndNeverStored() async throws {
        let f = Fixture()
        let service = f.service(secrets: ["functions/key": "s3cr3t"])
        let deployed = try await service.deploy(FunctionDeployment(
            name: "env", source: MockFunctionRuntime.module(for: .environment),
            settings: FunctionSettings(environment: ["KEY": "vault:functions/key", "PLAIN": "x"])))
        let body = try Self.body(try await service.invoke("env", request: FunctionRequest()))
        #expect(Set(body.split(separator: "\n")) == ["KEY=s3cr3t", "PLAIN=x"])
        let stored = try await f.store.version(function: "env", id: deployed.version.id)
        #expect(stored?.settings.environment["KEY"] == "vault:functions/key")
    }

    @Test func anotherNodeServesThePromotedVersionAndCompilesEachVersionOnce() async throws {
        let f = Fixture()
        let a = f.service()
        let b = f.service(refresh: .zero)
        let v1 = try await a.deploy(FunctionDeployment(name: "hello", source: f.module("one", answering: "one"))).version
        let compiledOnA = f.runtime.compileCount
        #expect(try Self.body(try await b.invoke("hello", request: FunctionRequest())) == "one")
        #expect(try Self.body(try await b.invoke("hello", request: FunctionRequest())) == "one")
        #expect(f.runtime.compileCount == compiledOnA + 1, "node b compiles the version once")
        _ = try await a.deploy(FunctionDeployment(name: "hello", source: f.module("two", answering: "two")))
        #expect(try Self.body(try await b.invoke("hello", request: FunctionRequest())) == "two")
        _ = try await b.rollback("hello")
        #expect(try Self.body(try await b.invoke("hello", request: FunctionRequest())) == "one", "the node that rolled back serves at once")
        #expect(try await a.function("hello").live?.id == v1.id)
    }

    @Test func deleteRemovesVersionsModulesAndLogs() async throws {
        let f = Fixture()
        let service = f.service()
        _ = try await service.deploy(FunctionDeployment(name: "gone", source: f.module("one", answering: "one")))
        _ = try await service.deploy(FunctionDeployment(name: "kept", source: f.module("two", answering: "two")))
        _ = try await service.invoke("gone", request: FunctionRequest())
        #expect(service.logs.entries(function: "gone").count == 1)
        try await service.delete("gone")
        let bucket = try BucketName(service.configuration.bucket)
        let left = try await f.blobs.list(in: bucket, prefix: "", continuation: nil, limit: 100).objects.map(\.key.rawValue)
        #expect(left.count == 1 && left[0].hasPrefix("kept/"), "\(left)")
        #expect(try await f.store.versions(function: "gone").isEmpty)
        #expect(service.logs.entries(function: "gone").isEmpty)
        await #expect(throws: ReactorError.self) { try await service.invoke("gone", request: FunctionRequest()) }
        await #expect(throws: ReactorError.self) { try await service.delete("gone") }
        #expect(try Self.body(try await service.invoke("kept", request: FunctionRequest())) == "two")
    }

    @Test func logsKeepEveryInvocationAndFollowersSeeNewOnes() async throws {
        let f = Fixture()
        let service = f.service()
        _ = try await service.deploy(FunctionDeployment(name: "logs", source: MockFunctionRuntime.module(for: .logs)))
        _ = try await service.deploy(FunctionDeployment(name: "trap", source: MockFunctionRuntime.module(for: .trap)))
        let follower = service.logs.follow(function: "logs")
        _ = try await service.invoke("logs", request: FunctionRequest())
        let trapped = try await service.invoke("trap", request: FunctionRequest())
        #expect(trapped.invocation.error?.code == .functionTrapped)
        let entries = service.logs.entries(function: "logs")
        #expect(entries.count == 1)
        #expect(entries.first?.lines == ["first line", "second line", "no newline"])
        #expect(entries.first?.status == 200 && entries.first?.trigger == "http")
        #expect(service.logs.entries(function: "trap").first?.error == "FUNCTION_TRAPPED")
        var iterator = follower.events.makeAsyncIterator()
        let followed = await iterator.next()
        #expect(followed == .entry(entries[0]))
        follower.stop()
        #expect(await iterator.next() == nil)
    }

    @Test func aFullFunctionAnswersBusy() async throws {
        let f = Fixture()
        let service = f.service(maxConcurrent: 1, maxWait: .zero)
        let gate = Hold()
        gate.arm()
        f.runtime.register("slow") { _ in
            await gate.pass()
            return Array("{\"status\":200}".utf8)
        }
        _ = try await service.deploy(FunctionDeployment(name: "slow", source: .text("mock:slow")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await service.invoke("slow", request: FunctionRequest()) }
            // The gate opens on every path: a failed expectation must not leave the first invocation waiting forever
            // (the group waits for it before it rethrows).
            do {
                try await eventually("the first invocation runs") { gate.heldCount == 1 }
                do {
                    _ = try await service.invoke("slow", request: FunctionRequest())
                    Issue.record("a second invocation ran beside the first")
                } catch let error as ReactorError {
                    #expect(error.code == .functionBusy)
                }
            } catch {
                gate.release()
                throw error
            }
            gate.release()
            try await group.waitForAll()
        }
    }
}
