/// CRC-32 as in IEEE 802.3, zlib and PNG (reflected polynomial 0xEDB88320, initial and final XOR
/// 0xFFFFFFFF), table-driven. `CRC32.checksum("123456789".utf8) == 0xCBF43926`.
public enum CRC32 {
    /// One entry per byte value: the register after shifting that byte through eight times.
    static let table: [UInt32] = (0...255).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        Self.table.withUnsafeBufferPointer { table in
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            return crc ^ 0xFFFF_FFFF
        }
    }

    /// The CRC-32 of a byte sequence, such as a string's `utf8` view.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Self.checksum(UnsafeRawBufferPointer(buffer))
        }
        if let contiguous { return contiguous }
        return Array(bytes).withUnsafeBytes { Self.checksum($0) }
    }
}
