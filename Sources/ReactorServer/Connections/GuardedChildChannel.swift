import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A Hummingbird child channel (`inner`, HTTP/1 with WebSocket upgrade) with the connection limits of
/// ``ConnectionLimits`` around it: every connection is admitted or refused by the ``ConnectionRegistry``, gets a
/// ``ConnectionGuard`` first in its pipeline, and an ``HTTPExchangeObserver`` right after the HTTP request decoder.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let limits: ConnectionLimits
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = registry.admit(channel)
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuard(limits: limits, refused: !admitted, logger: logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let limits = self.limits
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(HTTPExchangeObserver(limits: limits), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
