/// A request body cut into content-addressed blocks: the system prompt, the tools and each message are
/// blocks of their own, so what Claude Code repeats every turn is stored once. The rest (the skeleton)
/// holds each cut-out block as `NUL <SHA-256 hex> NUL`; NUL never occurs in JSON text, so the skeleton
/// and the blocks give back the body byte for byte.
public struct BodyBlocks: Equatable, Sendable {
    public var skeleton: [UInt8]
    /// Block bytes by SHA-256 hex, each once.
    public var blocks: [String: [UInt8]]

    public init(skeleton: [UInt8], blocks: [String: [UInt8]]) {
        self.skeleton = skeleton
        self.blocks = blocks
    }

    /// The block digests the skeleton points at, in order.
    public static func references(in skeleton: [UInt8]) -> [String] {
        var digests: [String] = []
        var index = 0
        while let marker = skeleton[index...].firstIndex(of: 0), marker + 65 < skeleton.count {
            digests.append(String(decoding: skeleton[(marker + 1)...(marker + 64)], as: UTF8.self))
            index = marker + 66
        }
        return digests
    }

    static let cutMembers: Set<ArraySlice<UInt8>> = [ArraySlice("system".utf8), ArraySlice("tools".utf8)]
    static let messages = ArraySlice("messages".utf8)

    public init(request body: [UInt8]) {
        var cuts: [Range<Int>] = []
        body.withUnsafeBytes { bytes in
            guard let layout = JSONLayout.members(of: bytes, listingElementsOf: Self.messages) else { return }
            for member in layout.members {
                if Self.cutMembers.contains(member.name) {
                    cuts.append(member.value)
                } else if member.name == Self.messages {
                    cuts.append(contentsOf: layout.elements ?? [member.value])
                }
            }
        }
        var skeleton: [UInt8] = []
        var blocks: [String: [UInt8]] = [:]
        var position = 0
        for cut in cuts.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let block = Array(body[cut])
            let digest = block.withUnsafeBytes { Hex.sha256(of: $0) }
            blocks[digest] = block
            skeleton += body[position..<cut.lowerBound]
            skeleton += [0] + Array(digest.utf8) + [0]
            position = cut.upperBound
        }
        skeleton += body[position...]
        self.skeleton = skeleton
        self.blocks = blocks
    }

    /// The body again, or nil if a block is missing or the skeleton is damaged.
    public static func rebuild(skeleton: [UInt8], blocks: [String: [UInt8]]) -> [UInt8]? {
        var body: [UInt8] = []
        body.reserveCapacity(skeleton.count)
        var index = 0
        while let marker = skeleton[index...].firstIndex(of: 0) {
            body += skeleton[index..<marker]
            let digestStart = marker + 1
            guard digestStart + 64 < skeleton.count, skeleton[digestStart + 64] == 0 else { return nil }
            let digest = String(decoding: skeleton[digestStart..<(digestStart + 64)], as: UTF8.self)
            guard let block = blocks[digest] else { return nil }
            body += block
            index = digestStart + 65
        }
        body += skeleton[index...]
        return body
    }
}
