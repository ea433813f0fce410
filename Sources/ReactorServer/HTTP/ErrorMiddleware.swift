import Hummingbird
import Logging
import ReactorCore

/// Turns every error a route throws into a JSON error response with a stable code (see ``HTTPErrorMapping``).
///
/// Hummingbird's own errors (no route, body too large, a malformed parameter) are translated too, so that no
/// response of the server is a bare status without a JSON body.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            // The router answers an unmatched method with an empty 405/404: give it a body.
            if response.status == .methodNotAllowed, response.headers[.contentType] == nil {
                return JSONResponse.error(ReactorError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)"))
            }
            return response
        } catch let error as ReactorError {
            if HTTPErrorMapping.status(for: error) == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(error.debugDescription)", "path": "\(request.uri.path)"])
            }
            return JSONResponse.error(error)
        } catch let error as HTTPError {
            return JSONResponse.error(Self.translate(error, request: request))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return JSONResponse.error(ReactorError(.payloadTooLarge, "the request body is larger than the server accepts"))
        } catch let error as any HTTPResponseError {
            let reactorError = ReactorError(
                error.status.code >= 500 ? .internal : .badRequest,
                error.status.reasonPhrase.isEmpty ? "request failed" : error.status.reasonPhrase)
            return JSONResponse.error(reactorError)
        } catch is CancellationError {
            return JSONResponse.error(.shutdown())
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return JSONResponse.error(ReactorError(.internal, "internal error"))
        }
    }

    static func translate(_ error: HTTPError, request: Request) -> ReactorError {
        let message = error.body ?? error.status.reasonPhrase
        switch error.status {
        case .notFound: return ReactorError(.notFound, "no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge: return ReactorError(.payloadTooLarge, "the request body is larger than the server accepts")
        case .methodNotAllowed: return ReactorError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)")
        case .unauthorized: return ReactorError(.unauthenticated, message)
        case .forbidden: return ReactorError(.forbidden, message)
        default:
            return ReactorError(error.status.code >= 500 ? .internal : .badRequest, message)
        }
    }
}
