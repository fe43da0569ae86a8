import NIOCore

/// A small, self-contained SHA-256 (FIPS 180-4).
///
/// The mock cannot depend on swift-crypto and Foundation on Linux has no digest API, so the records
/// endpoint hashes request and response bodies with this. It is incremental: `update` may be called
/// with any split of the input.
public struct MockSHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of an incomplete block waiting for more input (always fewer than 64).
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    public init() {
        self.pending.reserveCapacity(64)
    }

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        self.totalBytes &+= UInt64(remaining)
        if !self.pending.isEmpty {
            let take = min(64 - self.pending.count, remaining)
            self.pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            guard self.pending.count == 64 else { return }
            let block = self.pending
            block.withUnsafeBytes { self.compress($0.baseAddress!) }
            self.pending.removeAll(keepingCapacity: true)
        }
        while remaining >= 64 {
            self.compress(base)
            base += 64
            remaining -= 64
        }
        if remaining > 0 {
            self.pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: remaining))
        }
    }

    /// Feeds the readable bytes of `buffer` into the digest.
    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { self.update($0) }
    }

    /// Feeds a byte collection into the digest.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { self.update($0) }
    }

    /// Pads the message and returns the 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        let bitLength = self.totalBytes &* 8
        var tail: [UInt8] = [0x80]
        let padding = (64 + 56 - (Int(self.totalBytes % 64) + 1)) % 64
        tail.append(contentsOf: repeatElement(0, count: padding))
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedTotal = self.totalBytes
        tail.withUnsafeBytes { self.update($0) }
        self.totalBytes = savedTotal
        let s = self.state
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
            digest.append(contentsOf: [
                UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word),
            ])
        }
        return digest
    }

    /// Lowercase hex digest of the readable bytes of `buffer`.
    public static func hex(_ buffer: ByteBuffer) -> String {
        var hasher = MockSHA256()
        hasher.update(buffer)
        return Self.hexString(hasher.finalize())
    }

    /// Lowercase hex digest of `bytes`.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        var hasher = MockSHA256()
        hasher.update(bytes)
        return Self.hexString(hasher.finalize())
    }

    static func hexString(_ digest: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digest.count * 2) { out in
            for (i, byte) in digest.enumerated() {
                out[2 * i] = digits[Int(byte >> 4)]
                out[2 * i + 1] = digits[Int(byte & 0x0f)]
            }
            return digest.count * 2
        }
    }

    // MARK: - Compression

    private mutating func compress(_ block: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            }
            for i in 16..<64 {
                let s0 = w[i - 15].rotatedRight(7) ^ w[i - 15].rotatedRight(18) ^ (w[i - 15] >> 3)
                let s1 = w[i - 2].rotatedRight(17) ^ w[i - 2].rotatedRight(19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            self.rounds(w)
        }
    }

    private mutating func rounds(_ w: UnsafeMutableBufferPointer<UInt32>) {
        var (a, b, c, d, e, f, g, h) = self.state
        Self.roundConstants.withUnsafeBufferPointer { k in
            var i = 0
            while i < 64 {
                Self.round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                Self.round(h, a, b, &c, d, e, f, &g, k[i + 1] &+ w[i + 1])
                Self.round(g, h, a, &b, c, d, e, &f, k[i + 2] &+ w[i + 2])
                Self.round(f, g, h, &a, b, c, d, &e, k[i + 3] &+ w[i + 3])
                Self.round(e, f, g, &h, a, b, c, &d, k[i + 4] &+ w[i + 4])
                Self.round(d, e, f, &g, h, a, b, &c, k[i + 5] &+ w[i + 5])
                Self.round(c, d, e, &f, g, h, a, &b, k[i + 6] &+ w[i + 6])
                Self.round(b, c, d, &e, f, g, h, &a, k[i + 7] &+ w[i + 7])
                i += 8
            }
        }
        let s = self.state
        self.state = (s.0 &+ a, s.1 &+ b, s.2 &+ c, s.3 &+ d, s.4 &+ e, s.5 &+ f, s.6 &+ g, s.7 &+ h)
    }

    /// One round with the working variables renamed instead of shifted (FIPS 180-4 §6.2.2 step 3).
    @inline(__always)
    private static func round(
        _ a: UInt32,
        _ b: UInt32,
        _ c: UInt32,
        _ d: inout UInt32,
        _ e: UInt32,
        _ f: UInt32,
        _ g: UInt32,
        _ h: inout UInt32,
        _ kw: UInt32
    ) {
        let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
        let t1 = h &+ s1 &+ ((e & f) ^ (~e & g)) &+ kw
        let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
        d = d &+ t1
        h = t1 &+ s0 &+ ((a & b) ^ (a & c) ^ (b & c))
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

extension UInt32 {
    @inline(__always)
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        (self >> count) | (self << (32 - count))
    }
}
