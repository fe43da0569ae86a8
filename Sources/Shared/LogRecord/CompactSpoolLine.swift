import Foundation

/// What an edge ships instead of a spooled line: the request body as its skeleton (`requestSkeleton`, a
/// JSON string) plus only the blocks the coordinator lacks (`blocks`, digest to raw JSON value), as far
/// as the edge knows, i.e. the blocks of segments the coordinator has already committed. A conversation's
/// history then crosses the wire and is hashed by the coordinator once, not at every turn. The spool
/// itself keeps the whole body, so a coordinator that lacks a block after all can be sent the line whole.
public enum CompactSpoolLine {
    /// - Parameter known: whether the coordinator is known to hold a block.
    /// - Returns: the line to ship and the digest of every block it refers to; nil when the line has no
    ///   request body to compact (ship it as it is).
    public static func compact(_ line: ArraySlice<UInt8>, known: (String) -> Bool) -> (line: [UInt8], digests: [String])? {
        let bytes = Array(line)
        guard let members = bytes.withUnsafeBytes({ JSONLayout.members(of: $0) }),
            let request = members.first(where: { $0.name == ArraySlice("request".utf8) })
        else { return nil }
        let cut = BodyBlocks(request: Array(bytes[request.value]))
        guard let skeleton = try? JSONEncoder().encode(String(decoding: cut.skeleton, as: UTF8.self)) else { return nil }
        var compact = Array(bytes[..<request.start])
        compact += Array(#""requestSkeleton":"#.utf8) + skeleton + Array(#","blocks":{"#.utf8)
        var first = true
        for (digest, block) in cut.blocks where !known(digest) {
            if !first { compact.append(UInt8(ascii: ",")) }
            compact += Array("\"\(digest)\":".utf8) + block
            first = false
        }
        compact.append(UInt8(ascii: "}"))
        compact += bytes[request.value.upperBound...]
        return (compact, Array(cut.blocks.keys))
    }
}
