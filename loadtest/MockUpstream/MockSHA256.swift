import Crypto
import NIOCore

/// SHA-256 of request and response bodies, as lowercase hex, for the records endpoint.
///
/// A thin layer over swift-crypto's digest (BoringSSL's): hashing every body is a large share of the mock's
/// work, and the mock shares the benchmark machine's cores with what it measures. It is incremental:
/// `update` may be called with any split of the input.
public struct MockSHA256 {
    private var hasher = SHA256()

    public init() {}

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.hasher.update(bufferPointer: bytes)
    }

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { self.update($0) }
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ self.update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { self.update($0) }
        }
    }

    /// The 32-byte digest of everything fed so far.
    public consuming func finalize() -> [UInt8] {
        Array(self.hasher.finalize())
    }

    public static func hex(_ buffer: ByteBuffer) -> String {
        var hasher = MockSHA256()
        hasher.update(buffer)
        return Self.hexString(hasher.finalize())
    }

    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        var hasher = MockSHA256()
        hasher.update(bytes)
        return Self.hexString(hasher.finalize())
    }

    static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digest.count * 2) { output in
            for (index, byte) in digest.enumerated() {
                output[2 * index] = digits[Int(byte >> 4)]
                output[2 * index + 1] = digits[Int(byte & 0x0f)]
            }
            return digest.count * 2
        }
    }
}
