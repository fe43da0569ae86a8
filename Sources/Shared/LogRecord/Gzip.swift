import CompressNIO
import NIOCore

/// Spool shipments travel gzip-compressed (`Content-Encoding: gzip`): NDJSON of request records shrinks
/// several-fold, and the coordinator bounds what a shipment may grow to when it is inflated.
public enum Gzip {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(limit: Int)
        case corrupt

        public var description: String {
            switch self {
            case .tooLarge(let limit): "the shipment inflates past \(limit) bytes"
            case .corrupt: "the shipment is not valid gzip"
            }
        }
    }

    /// Level 1: most of the size win for a fraction of the CPU of the default level.
    public static func compress(_ bytes: some Collection<UInt8>) throws -> ByteBuffer {
        var input = ByteBuffer(bytes: bytes)
        return try input.compress(with: .gzip(configuration: .init(compressionLevel: .fastestCompression)))
    }

    public static func decompress(_ buffer: ByteBuffer, maxSize: Int) throws(Failure) -> ByteBuffer {
        var input = buffer
        do {
            return try input.decompress(with: .gzip(), maxSize: maxSize)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge(limit: maxSize)
        } catch {
            throw .corrupt
        }
    }
}
