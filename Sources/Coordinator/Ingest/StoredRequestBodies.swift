import Shared

/// Reads a stored request's body and answer back out of the content blocks, byte for byte.
struct StoredRequestBodies {
    let connection: PostgresConnection

    /// The request body of request `id`, or nil when none was stored.
    func requestBody(id: String) async throws -> [UInt8]? {
        guard let skeletonDigest = try await self.blockDigest(column: "request_block", id: id),
            let skeleton = try await self.blocks([skeletonDigest])[skeletonDigest]
        else { return nil }
        return BodyBlocks.rebuild(skeleton: skeleton, blocks: try await self.blocks(BodyBlocks.references(in: skeleton)))
    }

    /// The answer to request `id` as the edge relayed it, or nil when none was stored.
    func response(id: String) async throws -> [UInt8]? {
        guard let digest = try await self.blockDigest(column: "response_block", id: id) else { return nil }
        return try await self.blocks([digest])[digest]
    }

    private func blockDigest(column: String, id: String) async throws -> String? {
        try await self.connection.query("SELECT \(column) FROM requests WHERE id = $1", [id]).first?[0]
    }

    private func blocks(_ digests: [String]) async throws -> [String: [UInt8]] {
        let rows = try await self.connection.query(
            "SELECT sha256, encode(data, 'hex') FROM content_blocks WHERE sha256 = ANY($1::text[])",
            [RecordStore.arrayLiteral(digests)]
        )
        var blocks: [String: [UInt8]] = [:]
        for row in rows {
            guard let digest = row[0], let hex = row[1], let bytes = Self.bytes(hex: hex) else { continue }
            blocks[digest] = bytes
        }
        return blocks
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.value(digits[index]), let low = Self.value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
