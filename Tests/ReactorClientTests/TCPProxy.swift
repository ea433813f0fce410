import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on loopback that relays every connection to `127.0.0.1:<target>`, and can cut them all at once (both
/// sides closed mid-stream, as a failing network or a restarted load balancer does).
final class TCPProxy: Sendable {
    /// The proxy's port.
    let port: Int
    private let listener: any Channel
    private let connections: ConnectionList

    init(to target: Int) async throws {
        let connections = ConnectionList()
        self.connections = connections
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: target).flatMapThrowing { outbound in
                    // Both channels are on the inbound's event loop: the relays are added on it.
                    try inbound.pipeline.syncOperations.addHandler(Relay(peer: outbound))
                    try outbound.pipeline.syncOperations.addHandler(Relay(peer: inbound))
                    connections.add(inbound, outbound)
                    inbound.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                }
            }
        listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = listener.localAddress?.port ?? 0
    }

    /// Closes every relayed connection (new ones are still accepted).
    func cutConnections() {
        for channel in connections.takeAll() { channel.close(promise: nil) }
    }

    /// Stops listening and cuts every connection.
    func close() async throws {
        cutConnections()
        try await listener.close()
    }

    /// The relayed connections' channels.
    private final class ConnectionList: Sendable {
        private let channels = Mutex<[any Channel]>([])

        func add(_ added: any Channel...) { channels.withLock { $0 += added } }

        func takeAll() -> [any Channel] {
            channels.withLock { channels in
                defer { channels.removeAll() }
                return channels
            }
        }
    }

    /// Writes what one side reads to the other; closes the other when one closes.
    private final class Relay: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let peer: any Channel

        init(peer: any Channel) {
            self.peer = peer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
