import Foundation
import Hummingbird
import HummingbirdTesting
import ReactorCore
import ReactorServer
import ReactorTesting
import Synchronization
import Testing

@Suite("HTTP auth, admin and system routes", .timeLimit(.minutes(3)))
struct AuthAndSystemRouteTests {
    @Test func bearerTokenIsRequiredWhenAuthIsConfigured() async throws {
        try await withTestServer(auth: StaticAuthClient()) { client, _, _ in
            let none = try await client.call(.get, "/reactor/v1/documents")
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "UNAUTHENTICATED")
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            let expired = try await client.call(.get, "/reactor/v1/documents", token: "expired")
            #expect(expired.status == .unauthorized)
            #expect(expired.errorCode == "TOKEN_EXPIRED")

            let forged = try await client.call(.get, "/reactor/v1/documents", token: "forged")
            #expect(forged.errorCode == "TOKEN_SIGNATURE_INVALID")

            let ok = try await client.call(.get, "/reactor/v1/documents", token: "user")
            #expect(ok.status == .ok)

            let me = try await client.call(.get, "/reactor/v1/auth/me", token: "user")
            #expect(me.json["claims"]?["sub"]?.stringValue == "bob")

            let health = try await client.call(.get, "/health")
            #expect(health.status == .ok)

            let adminAsUser = try await client.call(.get, "/_admin/version", token: "user")
            #expect(adminAsUser.status == .forbidden)
            let adminAsAdmin = try await client.call(.get, "/_admin/version", token: "admin")
            #expect(adminAsAdmin.status == .ok)
            #expect(adminAsAdmin.json["version"]?.stringValue == ReactorVersion.current)
        }
    }

    @Test func adminMigrateRunsTheHookAndMapsItsErrors() async throws {
        // A POST without a body (the live client would otherwise send it chunked, which counts as a body).
        let noBody: HTTPFields = [.contentLength: "0"]
        let calls = Mutex(0)
        let hooks = AdminHooks(migrate: {
            calls.withLock { $0 += 1 }
            return .object(["migrated": true, "store": "sqlite", "applied": ["v1"]])
        })
        try await withTestServer(admin: hooks.withTestToken, setup: .live) { client, _, _ in
            let reply = try await client.call(.post, "/_admin/migrate", token: testAdminToken.secretText, headers: noBody)
            #expect(reply.status == .ok)
            #expect(reply.json["applied"] == ["v1"])
            #expect(calls.withLock { $0 } == 1)
        }
        let failing = AdminHooks(migrate: { throw ReactorError(.storage, "the database is unreachable", isTransient: true) })
        try await withTestServer(admin: failing.withTestToken, setup: .live) { client, _, _ in
            let reply = try await client.call(.post, "/_admin/migrate", token: testAdminToken.secretText, headers: noBody)
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.errorCode == "STORAGE_ERROR")
        }
    }

    @Test func authMeWithoutAuthIsNotImplemented() async throws {
        try await withTestServer { client, _, _ in
            let me = try await client.call(.get, "/reactor/v1/auth/me")
            #expect(me.status == .notFound)
            #expect(me.errorCode == "UNSUPPORTED")
        }
    }

    @Test func vaultAdminRoutes() async throws {
        let admin = testAdminToken.secretText
        try await withTestServer(vault: MockVault(), admin: AdminHooks().withTestToken, setup: .live) { client, _, _ in
            let put = try await client.call(.put, "/_admin/vault/db/password", json: ["value": "s3cret"], token: admin)
            #expect(put.status == .ok)
            let get = try await client.call(.get, "/_admin/vault/db/password", token: admin)
            #expect(get.json["value"]?.stringValue == "s3cret")
            let list = try await client.call(.get, "/_admin/vault?prefix=db/", token: admin)
            #expect(list.json["paths"] == ["db/password"])
            let bad = try await client.call(.put, "/_admin/vault/a/../b", json: ["value": "x"], token: admin)
            #expect(bad.status.code >= 400 && bad.status.code < 500)
            let deleted = try await client.call(.delete, "/_admin/vault/db/password", token: admin)
            #expect(deleted.status == .noContent)
            let gone = try await client.call(.get, "/_admin/vault/db/password", token: admin)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "SECRET_NOT_FOUND")
        }
        try await withTestServer(admin: AdminHooks().withTestToken, setup: .live) { client, _, _ in
            let none = try await client.call(.get, "/_admin/vault", token: admin)
            #expect(none.status == .notFound)
        }
    }

    @Test func metricsCountRequestsByRoute() async throws {
        try await withTestServer { client, reactor, metrics in
            metrics.observe(reactor)
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "m"])
            _ = try await client.call(.get, "/reactor/v1/documents/m")
            _ = try await client.call(.get, "/reactor/v1/documents/missing")
            let text = try await client.call(.get, "/metrics").text
            #expect(text.contains("reactor_http_requests_total"))
            #expect(text.contains(#"route="/reactor/v1/documents/{id}""#))
            #expect(text.contains(#"status="404""#))
            #expect(text.contains(#"reactor_jobs_total{status="READ_READY""#))
            // Only the /metrics request itself is being handled.
            let inFlight = text.split(separator: "\n").first { $0.hasPrefix("reactor_http_requests_in_flight ") }
            #expect(inFlight.flatMap { Double($0.split(separator: " ")[1]) } == 1, "\(text)")
        }
    }

    @Test func openAPIDocumentIsServedAndCoversEveryRoute() async throws {
        try await withTestServer { client, _, _ in
            let reply = try await client.call(.get, "/openapi.json")
            #expect(reply.status == .ok)
            // The served document is the committed file, byte for byte.
            let committed = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/ReactorServer/OpenAPI/openapi.json")
            #expect(reply.text == (try String(contentsOf: committed, encoding: .utf8)))
            #expect(reply.json["openapi"]?.stringValue == "3.1.0")
            let paths = try #require(reply.json["paths"]?.objectValue)
            let routes: [(String, String)] = [
                ("/health", "get"), ("/metrics", "get"), ("/openapi.json", "get"),
                ("/reactor/v1/documents", "post"), ("/reactor/v1/documents", "get"), ("/reactor/v1/documents/{id}", "get"),
                ("/reactor/v1/documents/{id}", "delete"), ("/reactor/v1/documents/{id}/actions", "post"),
                ("/reactor/v1/documents/{id}/operations", "get"), ("/reactor/v1/documents/{id}/children", "get"),
                ("/reactor/v1/documents/{id}/children", "post"), ("/reactor/v1/documents/{id}/children/{childId}", "delete"),
                ("/reactor/v1/documents/{id}/parents", "get"), ("/reactor/v1/documents/{id}/relationships", "get"),
                // Time travel (issue 17).
                ("/reactor/v1/documents/{id}/diff", "get"),
                ("/reactor/v1/jobs/{id}", "get"), ("/reactor/v1/batches", "post"), ("/reactor/v1/subscriptions/events", "get"),
                ("/reactor/v1/subscriptions/ws", "get"), ("/reactor/v1/auth/me", "get"), ("/_admin/version", "get"),
                ("/_admin/doctor", "get"), ("/_admin/migrate", "post"), ("/_admin/vault", "get"), ("/_admin/vault/{path}", "get"),
                ("/_admin/vault/{path}", "put"), ("/_admin/vault/{path}", "delete"),
                ("/reactor/v1/sync/channels/{channelId}", "put"), ("/reactor/v1/sync/channels/{channelId}/envelopes", "post"),
                ("/reactor/v1/sync/channels/{channelId}/operations", "get"), ("/reactor/v1/sync/remotes", "get"),
                ("/reactor/v1/sync/remotes", "post"), ("/reactor/v1/sync/remotes/{name}", "get"),
                ("/reactor/v1/sync/remotes/{name}", "patch"), ("/reactor/v1/sync/remotes/{name}", "delete"),
                ("/reactor/v1/sync/remotes/{name}/pull", "post"), ("/reactor/v1/sync/remotes/{name}/dead-letters", "get"),
                ("/reactor/v1/sync/remotes/{name}/quarantine/{documentId}", "delete"), ("/reactor/v1/documents/{id}/sync", "get"),
                ("/reactor/v1/jobs/{id}/sync", "get"),
                ("/storage/v1/buckets", "get"), ("/storage/v1/buckets", "post"), ("/storage/v1/buckets/{bucket}", "get"),
                ("/storage/v1/buckets/{bucket}", "delete"), ("/storage/v1/buckets/{bucket}/objects", "get"),
                ("/storage/v1/buckets/{bucket}/objects/{key}", "put"), ("/storage/v1/buckets/{bucket}/objects/{key}", "get"),
                ("/storage/v1/buckets/{bucket}/objects/{key}", "head"), ("/storage/v1/buckets/{bucket}/objects/{key}", "delete"),
                ("/storage/v1/buckets/{bucket}/sign", "post"), ("/storage/v1/signed/{bucket}/{key}", "get"),
                ("/storage/v1/signed/{bucket}/{key}", "head"), ("/storage/v1/signed/{bucket}/{key}", "put"),
                // Functions (issue 15).
                ("/_admin/functions", "get"), ("/_admin/functions/{name}", "get"), ("/_admin/functions/{name}", "delete"),
                ("/_admin/functions/{name}/versions", "get"), ("/_admin/functions/{name}/versions", "post"),
                ("/_admin/functions/{name}/promote", "post"), ("/_admin/functions/{name}/rollback", "post"),
                ("/_admin/functions/{name}/logs", "get"),
                // AI gateway (issue 16).
                ("/ai/v1/chat/completions", "post"), ("/ai/v1/embeddings", "post"), ("/ai/v1/models", "get"), ("/ai/v1/usage", "get"),
                // Model discovery and the console's jobs page (issue 17).
                ("/reactor/v1/models", "get"), ("/reactor/v1/models", "post"), ("/reactor/v1/models/{documentType}", "get"),
                ("/_admin/jobs", "get"),
            ] + ["get", "post", "put", "patch", "delete"].flatMap { method in
                [("/functions/v1/{name}", method), ("/functions/v1/{name}/{path}", method)]
            }
            // Identity (issue 14): /auth/v1, served when auth.service is on (ReactorIdentityTests call every one).
            let identityRoutes: [(String, String)] = [
                ("/auth/v1/signup", "post"), ("/auth/v1/login", "post"), ("/auth/v1/refresh", "post"),
                ("/auth/v1/logout", "post"), ("/auth/v1/me", "get"), ("/auth/v1/me/password", "post"),
                ("/auth/v1/apikeys", "get"), ("/auth/v1/apikeys", "post"), ("/auth/v1/apikeys/{id}", "delete"),
                ("/auth/v1/users", "get"), ("/auth/v1/users", "post"), ("/auth/v1/users/{id}", "get"),
                ("/auth/v1/users/{id}", "patch"), ("/auth/v1/.well-known/jwks.json", "get"),
                ("/auth/v1/.well-known/openid-configuration", "get"),
            ]
            for (path, method) in routes + identityRoutes {
                #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is not in the OpenAPI document")
            }
            // And every documented operation is a route (the router does not answer NOT_FOUND for it).
            for (path, item) in paths {
                for method in (item.objectValue ?? [:]).keys where method != "parameters" {
                    #expect((routes + identityRoutes).contains { $0 == (path, method) }, "\(method.uppercased()) \(path) is documented but not tested here")
                }
            }
        }
    }
}
