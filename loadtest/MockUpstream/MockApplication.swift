import Hummingbird
import Logging
import LoopBoundServer
import NIOCore

/// Builds the mock upstream; `goosey-mock` and the tests run the same application.
/// - Parameters:
///   - configuration: address, accepted key and stream defaults.
///   - logger: the application logger.
///   - recorder: where request records go (pass one in to inspect records directly).
///   - onServerRunning: called with the listening channel (read the bound port when port is 0).
public func buildMockApplication(
    _ configuration: MockConfiguration,
    logger: Logger,
    recorder: MockRecorder? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let recorder = recorder ?? MockRecorder(capacity: configuration.recordCapacity)
    return Application(
        router: buildMockRouter(configuration, recorder: recorder),
        server: .loopBoundHTTP1(configuration: .init()),
        configuration: ApplicationConfiguration(address: configuration.address, serverName: nil, backlog: 4096),
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The mock's routes: `/v1/messages`, `/v1/messages/count_tokens`, `/v1/models`, `HEAD /api/hello`,
/// `/mock/requests` and `/mock/requests/{requestID}`; anything else is an Anthropic-shaped 404.
func buildMockRouter(_ configuration: MockConfiguration, recorder: MockRecorder) -> Router<MockRequestContext> {
    let router = Router(context: MockRequestContext.self)
    router.add(middleware: MockHeadersMiddleware(rateLimitHeaders: MockRateLimitHeaders()))
    MockRoutes(configuration: configuration, recorder: recorder).register(on: router)
    return router
}
