import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RedisError {
    /// Copies a failed hiredis context's error; call it before anything else can change `errno`.
    init(failedContext context: UnsafePointer<redisContext>, errno code: Int32, connecting: Bool) {
        let detail = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        self.init(
            kind: Self.kind(hiredisError: context.pointee.err, errno: code, connecting: connecting),
            detail: detail
        )
    }

    private static func kind(hiredisError: Int32, errno code: Int32, connecting: Bool) -> Kind {
        switch hiredisError {
        case REDIS_ERR_EOF:
            return .connectionClosed
        case REDIS_ERR_PROTOCOL:
            return .protocolError
        case 6:  // REDIS_ERR_TIMEOUT, hiredis ≥ 1.0
            return .timeout
        case REDIS_ERR_IO where [EAGAIN, EWOULDBLOCK, ETIMEDOUT, EINPROGRESS].contains(code):
            return .timeout
        case REDIS_ERR_IO where !connecting && [ECONNRESET, EPIPE].contains(code):
            return .connectionClosed
        default:
            return connecting ? .connectionFailed : .io
        }
    }
}
