import Hummingbird
import Logging
import NIOCore

/// Gives every response the real API's common headers and maps every failure to an Anthropic envelope.
///
/// It runs outside the router's 404 handling, so unknown paths get the `not_found_error` body too.
struct MockHeadersMiddleware: RouterMiddleware {
    typealias Context = MockRequestContext
    let rateLimitHeaders: MockRateLimitHeaders

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(error, context: context)
        }
        response.headers[MockHeaderName.requestID] = context.requestID
        response.headers.append(contentsOf: self.rateLimitHeaders.current())
        if request.method == .head {
            response.body = .init()
        }
        return response
    }

    static func errorResponse(_ error: any Error, context: Context) -> Response {
        switch error {
        case let error as MockError:
            return error.response(requestID: context.requestID)
        case let error as HTTPError where error.status == .notFound:
            return MockError.notFound().response(requestID: context.requestID)
        case is NIOTooManyBytesError:
            return MockError.requestTooLarge.response(requestID: context.requestID)
        case let error as HTTPError where error.status == .contentTooLarge:
            return MockError.requestTooLarge.response(requestID: context.requestID)
        default:
            context.logger.error("mock request failed", metadata: ["mock.error": "\(error)"])
            return MockError.internalError.response(requestID: context.requestID)
        }
    }
}
